# SPDX-License-Identifier: GPL-2.0
#
# hwbp's sources are .cpp files of kernel C (only the core is also C++17,
# for the host tests).  Every Kbuild of this tree includes this file, the
# one rule that builds a .cpp: compiled as C ("-x c" in the ccflags-y each
# Kbuild sets), as Makefile.build's rule for %.c, so checksrc (sparse, C=1
# and C=2's forced run), objtool and mcount records apply as to any .c.
$(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cc_o_c)
	$(call cmd,force_checksrc)
