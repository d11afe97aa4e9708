#!/usr/bin/env bash
# Makes the PNGs in screenshots/ from the simulated CVM, as a presenter would see them:
# builds cvmscope, runs it in a detached tmux session at 120x40 with --platform sim, drives
# it with keys, captures each screen with `tmux capture-pane -p -e` (text and colours) and
# draws the capture cell by cell with ui/internal/shot (Latin in DejaVu Sans Mono, Hangul
# in Nanum Gothic Coding, so Korean columns line up as in the terminal).
#
#   screenshots/make.sh            # all of them
#   screenshots/make.sh korean     # only the ones named
#
# Idempotent: every run rewrites the PNGs and touches nothing else. tmux runs on its own
# socket with no configuration file, so your tmux server and settings are left alone.
# Needs go and tmux. The fonts come from Debian's fonts-dejavu-core and fonts-nanum-coding;
# when they are missing and apt-get can run, it installs them and says so; it installs
# nothing else.
set -euo pipefail

cd "$(dirname "$0")/.."
out=screenshots
cols=120
rows=40

die() { echo "make.sh: $*" >&2; exit 1; }

command -v go >/dev/null || die "needs go (https://go.dev/dl/)"
command -v tmux >/dev/null || die "needs tmux (Debian: apt-get install tmux)"

fonts=(/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf /usr/share/fonts/truetype/nanum/NanumGothicCoding.ttf)
missing=()
for f in "${fonts[@]}"; do [[ -f $f ]] || missing+=("$f"); done
if ((${#missing[@]})); then
	if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
		echo "make.sh: installing fonts-dejavu-core fonts-nanum-coding with apt-get (missing: ${missing[*]})" >&2
		apt-get install -y -q fonts-dejavu-core fonts-nanum-coding >&2
	else
		die "missing fonts ${missing[*]}: install Debian's fonts-dejavu-core and fonts-nanum-coding"
	fi
fi

work=$(mktemp -d)
# Each run of cvmscope gets its own tmux server: a server that is still exiting would
# answer the next new-session with "server exited unexpectedly".
runs=0
sock="cvmscope-shots-$$-$runs"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
# stop ends the current tmux server and removes its socket, which kill-server leaves behind.
stop() {
	local path
	path=$(tm display-message -p '#{socket_path}' 2>/dev/null) || return 0
	tm kill-server 2>/dev/null || true
	[[ -S $path ]] && rm -f "$path"
	return 0
}
cleanup() {
	stop
	rm -rf "$work"
}
trap cleanup EXIT

echo "make.sh: building cvmscope and the renderer" >&2
go build -o "$work/cvmscope" .
go build -o "$work/shot" ./ui/internal/shot

selected=("$@")
wanted() {
	((${#selected[@]} == 0)) && return 0
	local s
	for s in "${selected[@]}"; do [[ $s == "$1" ]] && return 0; done
	return 1
}

# start runs cvmscope in a fresh session. COLORTERM makes it draw in true colour, as in a
# modern terminal; NO_COLOR and the caller's LANG must not leak in.
start() {
	stop
	runs=$((runs + 1))
	sock="cvmscope-shots-$$-$runs"
	local t0
	t0=$(date +%s%N)
	tm new-session -d -s shots -x "$cols" -y "$rows" \
		env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 COLORTERM=truecolor TERM=tmux-256color \
		"$work/cvmscope" --platform sim "$@"
	tm set-option -t shots remain-on-exit on >/dev/null
	wait_for "the first frame" 20 '(SIMULATED|Platform|플랫폼|시뮬레이션)'
	# Start-up as a person sees it: process start to first frame, tmux's own start included.
	echo "make.sh: cvmscope${*:+ $*} drew its first frame $((($(date +%s%N) - t0) / 1000000)) ms after tmux started it" >&2
}

screen() { tm capture-pane -p -t shots; }

# wait_for polls the screen until it matches the extended regular expression.
wait_for() {
	local what=$1 secs=$2 re=$3 i
	for ((i = 0; i < secs * 100; i++)); do
		if screen 2>/dev/null | grep -Eq -- "$re"; then return 0; fi
		if [[ $(tm display-message -p -t shots '#{pane_dead}') == 1 ]]; then
			screen >&2
			die "cvmscope exited while waiting for $what"
		fi
		sleep 0.01
	done
	screen >&2
	die "timed out after ${secs}s waiting for $what"
}

# run_all presses a and waits until no step in the step column is running. Steps after a
# failure stay waiting: run all stops there, as a presenter would see it.
run_all() {
	tm send-keys -t shots a
	wait_for "the first step to start" 10 '^ {4}[^ ] (running|실행 중|passed|통과|failed|실패)'
	local i
	for ((i = 0; i < 600; i++)); do
		if ! screen | grep -Eq '^ {4}[^ ] (running|cancelling|실행 중|취소 중)'; then
			sleep 0.3 # the final frame
			return 0
		fi
		sleep 0.1
	done
	screen >&2
	die "the steps did not finish in 60s"
}

keys() { tm send-keys -t shots "$@"; sleep 0.3; }

# step selects a step by its name in the step column.
step() {
	local name=$1 i
	for ((i = 0; i < 8; i++)); do
		if screen | grep -Eq -- "▸ [0-9] $name"; then return 0; fi
		keys Tab
	done
	return 1
}

# section presses ] until the pane's first line (screen line 2) names the section.
section() {
	local re=$1 i
	for ((i = 0; i < 16; i++)); do
		if screen | sed -n 2p | grep -Eq -- "$re"; then return 0; fi
		keys ']'
	done
	return 1
}

shoot() {
	tm capture-pane -p -e -t shots >"$work/$1.ans"
	"$work/shot" -cols "$cols" -rows "$rows" -o "$out/$1.png" "$work/$1.ans"
	echo "make.sh: wrote $out/$1.png" >&2
}

failed=()

if wanted welcome; then
	# The first screen, before any key: what attestation is and what will happen.
	start
	shoot welcome
fi

if wanted lesson || wanted lesson-decode; then
	# The guided lesson in Korean after the steps ran, so it shows this VM's token.
	start --lang ko
	run_all
	keys W
	if screen | grep -q '따라 하기 강의 1/'; then
		keys Space Space
		wanted lesson-decode && shoot lesson-decode
		keys Space Space Space
		wanted lesson && shoot lesson
	else
		failed+=("lesson: W did not open the guided lesson")
	fi
fi

if wanted overview || wanted report-chain || wanted pcrs-eventlog || wanted request || wanted claims; then
	start
	run_all
	wanted overview && shoot overview
	if step "Read report"; then
		keys g
		wanted report-chain && shoot report-chain
		if wanted pcrs-eventlog; then
			if section 'PCRs'; then shoot pcrs-eventlog; else failed+=("pcrs-eventlog: no PCR section on the Read report page"); fi
		fi
	else
		failed+=("report-chain, pcrs-eventlog: no Read report step")
	fi
	if wanted request; then
		if step "Build request"; then shoot request; else failed+=("request: this build offers no Build request step"); fi
	fi
	if wanted claims; then
		if step "Verify JWT"; then
			section '[Cc]laims' || true
			shoot claims
		else
			failed+=("claims: this build offers no Verify JWT step")
		fi
	fi
fi

if wanted secureboot-failure; then
	if "$work/cvmscope" --help 2>&1 | grep -q -- '--scenario'; then
		start --scenario secureboot-off
		run_all
		# Run all stops at the step that failed and shows it, with what to do.
		shoot secureboot-failure
	else
		failed+=("secureboot-failure: cvmscope has no --scenario flag in this build")
	fi
fi

if wanted korean; then
	start --lang ko
	run_all
	if step "증명 보고서 읽기"; then
		keys g
		shoot korean
	else
		failed+=("korean: no Read report step")
	fi
fi

stop
if ((${#failed[@]})); then
	printf 'make.sh: not made: %s\n' "${failed[@]}" >&2
	exit 1
fi
