#!/bin/sh
# Plan "splat": load a module that WARNs, to prove that the host-side log
# scanner catches splats.  The KTAP below passes; the run must still fail.
. /bin/ktap.sh

ktap_begin splat 1
if insmod /lib/hwbp/test/hwbp_splat.ko; then
	rmmod hwbp_splat
	ktap_ok splat_module_loaded
else
	ktap_fail splat_module_loaded "insmod hwbp_splat.ko failed"
fi
ktap_end
