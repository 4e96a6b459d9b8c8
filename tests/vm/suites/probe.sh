# probe: exit_probe's known guest exit mix, counted by the guest, by the
# test VMM and by the patch's CPUID leaves (exact deltas for CPUID, I/O,
# HLT, MSR and hypercall exits between two readouts).
run_test exit-probe /bin/exit_probe -n 1000 -c 2 -t 240
