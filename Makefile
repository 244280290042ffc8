# forkcast -- build, test, run, install.
#
#   make            build ./forkcast (CUDA kernels too when nvcc is found)
#   make deps       apt-get the Debian packages forkcast needs
#   make run        deps if missing, build, run the main job, write the report
#   make test       deps if missing, unit tests + CLI golden tests + check-layers
#   make check      the same tests under -fsanitize=address,undefined
#   make check-layers  no file includes a header from a layer above (make test runs it)
#   make fuzz FUZZ_SECONDS=N  each libFuzzer harness of tests/fuzz/ for N s (clang);
#                   make test replays tests/fuzz/corpus/ with the plain compiler,
#                   make check also fuzzes each harness CHECK_FUZZ_SECONDS (15 s)
#   make bench      benchmarks with peers measured in the same run
#   make scenarios  regenerate data/scenarios/{overlay-e7,framing-t50}.json by fitting
#   make docs       regenerate every figure of README.md and docs/*.md from real
#                   runs (scripts/docs/regen.py; minutes); make docs-slow adds the
#                   10^9-replication runs; make docs-check compares without writing
#   make man        forkcast.1 from the --help outputs (help2man); man ./forkcast.1
#   make completion $(BUILD)/forkcast.bash, generated from the parsers' option tables
#   make install PREFIX=/usr/local  (binary, data, docs, man page, bash completion)
#   make gpu-check  gpu/gpu_check (CUDA toolkit only); make gpu-bundle: what
#                   scripts/gpu-run.sh carries to a GPU machine (docs/gpu.md)
#
# Every directory's *.c is picked up by wildcard: base model sim calibrate kernels
# plots go into build/libforkcast.a, cli/*.c into the binary, tests/test_*.c
# each into build/tests/test_*, bench/bench_*.c into build/bench/bench_*.

PREFIX     ?= /usr/local
BUILD      ?= build
CC         ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
LDFLAGS    ?= -Wl,--as-needed

DEB_PKGS := build-essential pkg-config libgsl-dev libcjson-dev ffmpeg \
            libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
            libavfilter-dev gnuplot-nox python3-simpy python3-numpy python3 help2man \
            clang libclang-rt-14-dev
PC_MODS  := gsl libcjson libavformat libavcodec libavutil libswscale libavfilter

PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PC_MODS) 2>/dev/null)
PC_LIBS   := $(shell $(PKG_CONFIG) --libs $(PC_MODS) 2>/dev/null)
# The forkcast binary does not link FFmpeg: calibrate/av_lazy.c loads it on
# first use (its ~170 shared libraries cost 20-40 ms at every start).
# Test and bench binaries link it normally.
# glibc's vector math library (model/vexp.c) on x86-64.
MVEC      := $(if $(filter x86_64,$(shell uname -m)),-lmvec)
BIN_LIBS  := $(shell $(PKG_CONFIG) --libs gsl libcjson 2>/dev/null) -ldl -lpthread $(MVEC) -lm

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -I. $(PC_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS     := $(PC_LIBS) -lpthread $(MVEC) -lm

# CUDA: on when nvcc exists and CUDA is not set to 0. The runtime is linked
# statically so the binary needs no libcudart.so beside it.
CUDA_HOME ?= /usr/local/cuda
NVCC      ?= $(firstword $(wildcard $(CUDA_HOME)/bin/nvcc))
CUDA      ?= $(if $(NVCC),1,0)
NVCCFLAGS ?= -O3 -std=c++17 \
             -gencode arch=compute_75,code=sm_75 \
             -gencode arch=compute_90,code=sm_90 \
             -gencode arch=compute_75,code=compute_75

LIB_SRC  := $(foreach d,base model sim calibrate kernels plots,$(wildcard $(d)/*.c))
CLI_SRC  := $(wildcard cli/*.c)
CU_SRC   := $(wildcard kernels/*.cu)
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC:= $(wildcard bench/bench_*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
ifeq ($(CUDA),1)
CU_OBJ   := $(CU_SRC:%.cu=$(BUILD)/%.cu.o)
ALL_CFLAGS += -DFORKCAST_CUDA=1
CUDA_LIBS := -L$(CUDA_HOME)/lib64 -lcudart_static -ldl -lrt -lstdc++
LDLIBS   += $(CUDA_LIBS)
BIN_LIBS += $(CUDA_LIBS)
endif
TESTS    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
ifeq ($(CUDA),1)
TESTS    += $(BUILD)/tests/test_cuda_emu
endif
BENCHES  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c): replayed over their corpus by
# make test (plain compiler, tests/fuzz/replay.c), fuzzed by make fuzz (clang).
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out tests/fuzz/fuzz_util.c,$(wildcard tests/fuzz/fuzz_*.c)))
REPLAYS    := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)
FUZZ_DEPS  := tests/fuzz/fuzz.h tests/fuzz/fuzz_util.c
FUZZ_SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 15
FUZZ_CC ?= clang

.PHONY: all deps run test test-inner check check-inner check-layers bench scenarios install clean man completion \
        fuzz fuzz-inner docs docs-slow docs-check
all: forkcast

forkcast: $(CLI_OBJ) $(BUILD)/libforkcast.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libforkcast.a $(BIN_LIBS)

# The built-in default scenario is compiled in from its data file.
GEN_OBJ  := $(BUILD)/gen/default_scenario.o $(BUILD)/gen/prices_modal.o
$(BUILD)/gen/default_scenario.c: data/scenarios/overlay-e7.json scripts/embed-json.sh
	@mkdir -p $(dir $@)
	./scripts/embed-json.sh model_default_scenario_json $< > $@
# ... and the price table `forkcast plan` prices GPU types from (model/pipeline.h).
$(BUILD)/gen/prices_modal.c: data/prices/modal.json scripts/embed-json.sh
	@mkdir -p $(dir $@)
	./scripts/embed-json.sh model_prices_modal_json $< > $@

$(BUILD)/libforkcast.a: $(LIB_OBJ) $(CU_OBJ) $(GEN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# plots/gnuplot.c finds its gnuplot scripts in the source tree as a last resort.
$(BUILD)/plots/gnuplot.o: ALL_CFLAGS += -DFORKCAST_SRCDIR='"$(CURDIR)"'

$(BUILD)/%.cu.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -I. -c -o $@ $<

# nvcc writes no dependency files: every kernels/ header, named here.
KERN_HDRS := $(wildcard kernels/*.h) kernels/kern_cuda_body.cuh
$(CU_OBJ): $(KERN_HDRS)

# The CUDA kernels' per-thread code run on the host (no GPU needed).
$(BUILD)/tests/test_cuda_emu: tests/test_cuda_emu.cu tests/harness.h $(KERN_HDRS) $(BUILD)/libforkcast.a
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -I. -DFORKCAST_CUDA=1 -c -o $@.o $<
	$(CC) $(LDFLAGS) -o $@ $@.o $(BUILD)/libforkcast.a $(LDLIBS)

# GPU check for a machine with only the CUDA toolkit: gpu/gpu_check from the
# kernels' sources and static cudart (no FFmpeg/GSL/cJSON); run it with
# scripts/gpu-check.sh. Cubins for sm_75..sm_90 plus PTX for newer cards.
GPU_NVCCFLAGS ?= -O3 -std=c++17 $(foreach a,75 80 86 89 90,-gencode arch=compute_$(a),code=sm_$(a)) \
                 -gencode arch=compute_75,code=compute_75
.PHONY: gpu-check gpu-bundle
gpu-check: gpu/gpu_check
# The carried bundle for a GPU machine without FFmpeg/GSL/cJSON (docs/gpu.md):
# a static FFmpeg from Debian's source, forkcast linked against it, gpu_check;
# gpu/bundle/forkcast-gpu.tar.gz. Minutes; not part of make test.
gpu-bundle:
	./scripts/gpu-bundle.sh
gpu/%.cu.o: kernels/%.cu $(KERN_HDRS)
	@mkdir -p gpu
	$(NVCC) $(GPU_NVCCFLAGS) -I. -c -o $@ $<
GPU_CHECK_SRC := bench/gpu_check.c bench/gpu_check_util.c base/clock.c
gpu/gpu_check: $(GPU_CHECK_SRC) bench/gpu_check.h $(wildcard kernels/*.c kernels/*.h) $(CU_SRC:kernels/%.cu=gpu/%.cu.o)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -I. -I$(CUDA_HOME)/include -DFORKCAST_CUDA=1 -o $@ \
	  $(GPU_CHECK_SRC) $(wildcard kernels/*.c) $(CU_SRC:kernels/%.cu=gpu/%.cu.o) \
	  -L$(CUDA_HOME)/lib64 -lcudart_static -ldl -lrt -lpthread -lm -Wl,-Bstatic -lstdc++ -Wl,-Bdynamic -static-libgcc

$(BUILD)/tests/%: tests/%.c tests/harness.h $(BUILD)/libforkcast.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libforkcast.a $(LDLIBS)

# A harness with a main() that replays files (tests/fuzz/replay.c).
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_DEPS) $(BUILD)/libforkcast.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) $(LDFLAGS) -o $@ $< tests/fuzz/fuzz_util.c tests/fuzz/replay.c \
	  $(BUILD)/libforkcast.a $(LDLIBS)

# make fuzz: the library and each harness with clang's libFuzzer, ASan and
# UBSan in build-fuzz/, then scripts/run-fuzz.sh runs each for FUZZ_SECONDS
# (one at a time), its corpus growing in build-fuzz/fuzz/corpus/NAME from
# tests/fuzz/corpus/NAME; a finding fails the run. Skipped, saying so,
# without a clang that links -fsanitize=fuzzer.
fuzz:
	@if printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	    $(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) CUDA=0 \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" fuzz-inner; \
	else echo "fuzz: skipped: no $(FUZZ_CC) with libFuzzer (apt-get install clang libclang-rt-14-dev)"; fi

fuzz-inner: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
	@./scripts/run-fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS) $(BUILD)/libforkcast.a
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< tests/fuzz/fuzz_util.c \
	  $(BUILD)/libforkcast.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libforkcast.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libforkcast.a $(LDLIBS)

# deps: install only what is missing; apt-get update first (fresh machines).
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

run: deps
	@$(MAKE) --no-print-directory forkcast
	./forkcast advise
	@./scripts/run-report.sh

# test and check install what is missing first (a fresh machine), then build
# in a sub-make so pkg-config sees the installed packages.
test: deps
	@$(MAKE) --no-print-directory test-inner

test-inner: forkcast $(TESTS) $(REPLAYS) check-layers forkcast.1 $(BUILD)/forkcast.bash
	@./scripts/run-tests.sh $(BUILD) ./forkcast

# Includes point down the layers only (docs/architecture.md).
check-layers:
	@./scripts/check-layers.sh

check: deps
	@$(MAKE) --no-print-directory BUILD=build-san CUDA=0 \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" FORKCAST_BIN=./build-san/forkcast check-inner
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

check-inner: $(BUILD)/forkcast-bin $(TESTS) $(REPLAYS)
	@ASAN_OPTIONS=detect_leaks=1 ./scripts/run-tests.sh $(BUILD) $(BUILD)/forkcast-bin

$(BUILD)/forkcast-bin: $(CLI_OBJ) $(BUILD)/libforkcast.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libforkcast.a $(BIN_LIBS)

bench: forkcast $(BENCHES)
	@./scripts/run-bench.sh $(BUILD) ./forkcast

scenarios: forkcast
	./scripts/fit-scenarios.sh ./forkcast

# README.md and docs/*.md: every figure forkcast gives lives in a marked
# region that scripts/docs/regen.py rewrites from real runs (its header:
# markers, tiers, noise). make test checks the fast deterministic subset
# (tests/cli/docs.sh).
DOCS_BENCHES := $(BUILD)/bench/bench_capacity $(BUILD)/bench/bench_plan $(BUILD)/bench/bench_sim
docs: forkcast $(DOCS_BENCHES)
	./scripts/docs/regen.py --bin ./forkcast
docs-slow: forkcast $(DOCS_BENCHES)
	./scripts/docs/regen.py --bin ./forkcast --tier slow
docs-check: forkcast $(DOCS_BENCHES)
	./scripts/docs/regen.py --bin ./forkcast --check

# The man page and the completion script come out of the binary: its --help
# texts (help2man, scripts/gen-man.sh) and its parsers' tables (forkcast completion).
man: forkcast.1
forkcast.1: forkcast scripts/gen-man.sh
	./scripts/gen-man.sh ./forkcast $@
completion: $(BUILD)/forkcast.bash
$(BUILD)/forkcast.bash: forkcast
	@mkdir -p $(dir $@)
	./forkcast completion bash > $@.tmp && mv $@.tmp $@

install: forkcast forkcast.1 $(BUILD)/forkcast.bash
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/forkcast $(DESTDIR)$(PREFIX)/share/doc/forkcast \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 forkcast $(DESTDIR)$(PREFIX)/bin/forkcast
	install -m 644 forkcast.1 $(DESTDIR)$(PREFIX)/share/man/man1/forkcast.1
	install -m 644 $(BUILD)/forkcast.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/forkcast
	cp -R data $(DESTDIR)$(PREFIX)/share/forkcast/
	install -d $(DESTDIR)$(PREFIX)/share/forkcast/plots
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/forkcast/plots/
	cp -R docs/. README.md $(DESTDIR)$(PREFIX)/share/doc/forkcast/

clean:
	rm -rf build build-san build-fuzz forkcast forkcast.1 out

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TESTS:=.d) $(BENCHES:=.d)
