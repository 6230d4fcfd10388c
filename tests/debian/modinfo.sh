#!/bin/sh
# What modinfo tells a user about hwbp, as KTAP cases (tests/guest/ktap.sh).
# Sourced by tests/debian/run (in the Debian guest, MOD=hwbp) and by
# scripts/check-debian (on the host, MOD=path of a built hwbp.ko).
#
#   check_modinfo MOD VERSION   modinfo_version_description: the version is
#                               VERSION and there is a description;
#                               modinfo_parameters_described: every
#                               parameter (parmtype) has a description
#                               (parm "name:text")
#   check_sysfs_params MOD      sysfs_parameters_match_modinfo: the loaded
#                               module's /sys/module/hwbp/parameters/ holds
#                               exactly the parameters modinfo lists

check_modinfo() {
	_v=$(modinfo -F version "$1") _d=$(modinfo -F description "$1")
	if [ "$_v" = "$2" ] && [ -n "$_d" ]; then
		ktap_ok modinfo_version_description
	else
		ktap_fail modinfo_version_description "version '$_v' (want $2), description '$_d'"
	fi
	_types=$(modinfo -F parmtype "$1" | cut -d: -f1 | sort)
	_bad=
	for _p in $_types; do
		modinfo -F parm "$1" | grep -q "^$_p:[[:space:]]*[^[:space:]]" || _bad="$_bad $_p"
	done
	if [ -z "$_bad" ]; then
		ktap_diag "parameters: $(echo ${_types:-none})"
		ktap_ok modinfo_parameters_described
	else
		ktap_fail modinfo_parameters_described "no description for:$_bad"
	fi
}

check_sysfs_params() {
	_want=$(modinfo -F parmtype "$1" | cut -d: -f1 | sort | tr '\n' ' ')
	_have=$(ls /sys/module/hwbp/parameters 2>/dev/null | sort | tr '\n' ' ')
	if [ "$_want" = "$_have" ]; then
		ktap_ok sysfs_parameters_match_modinfo
	else
		ktap_fail sysfs_parameters_match_modinfo \
			"modinfo: '$_want', /sys/module/hwbp/parameters: '$_have'"
	fi
}
