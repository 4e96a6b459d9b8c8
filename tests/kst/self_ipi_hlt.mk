# Read after the KVM selftests' own Makefile (make -f Makefile -f this):
# self_ipi_hlt is built with that tree's flags and library, as its tests
# are, without adding a file to the tree.  SELF_IPI_HLT_SRC names the source.
$(OUTPUT)/self_ipi_hlt: $(SELF_IPI_HLT_SRC) $(LIBKVM_OBJS)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH) $< $(LIBKVM_OBJS) \
		$(LDLIBS) -o $@
