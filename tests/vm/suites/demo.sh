# demo: what "make demo" shows.  The realvm scenario, with the host's
# exittrace histograms and the guest's own exitstat view printed in full.
. /tests/suites/realvm.sh
