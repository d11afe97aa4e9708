#!/bin/sh
# The read step with tpm2-tools, as bench/readstep does it with cvmscope's TPM layer: the
# same NV index, SHA-256 PCRs 0-7, and a quote of them by the same AK.
#   bench/tpm2-read.sh TCTI NV_INDEX AK_HANDLE
set -e
tpm2_nvread -T "$1" "$2" -o /dev/null
tpm2_pcrread -T "$1" sha256:0,1,2,3,4,5,6,7 >/dev/null
tpm2_quote -T "$1" -c "$3" -l sha256:0,1,2,3,4,5,6,7 -q 63766d73636f7065 -g sha256 -m /dev/null -s /dev/null >/dev/null
