# Makefile — builds ensad's library and programs, runs its tests, the default
# job and the benchmarks. Dependencies come through pkg-config; `make run`
# and `make check` first install the Debian packages that are missing.

PREFIX   ?= /usr/local
BUILD    ?= build
PKGS      = hdf5-openmpi openblas inih libcjson nettle
CC        = gcc
WARN      = -Wall -Wextra -Wpedantic -Wno-overlength-strings
CSTD      = -std=c11 -D_GNU_SOURCE
OPT      ?= -O2 -g
V        ?= 0
Q         = $(if $(filter 1,$(V)),,@)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CRIT_CFLAGS = $(shell pkg-config --cflags criterion 2>/dev/null)
CRIT_LIBS   = $(shell pkg-config --libs criterion 2>/dev/null)
SAN       = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined

LIB_SRC   = $(sort $(wildcard lib/*.c))
LIB_HDR   = $(wildcard lib/*.h)
STAGES    = partition train-member aggregate-threshold evaluate synth
UNIT_SRC  = $(sort $(wildcard tests/unit/*.c))

# Two trees: $(BUILD) is what users run; $(BUILD)/asan is the same code
# under AddressSanitizer and UBSan, which `make check` tests.
define tree
$(1)/obj/lib/%.o: lib/%.c $(LIB_HDR) | $(1)/obj/lib
	@echo "  CC    $$@"
	$$(Q)$$(CC) $$(CSTD) $$(WARN) $(2) $$(PKG_CFLAGS) -Ilib -c $$< -o $$@
$(1)/obj/stages/%.o: stages/%.c $(LIB_HDR) | $(1)/obj/stages
	@echo "  CC    $$@"
	$$(Q)$$(CC) $$(CSTD) $$(WARN) $(2) $$(PKG_CFLAGS) -Ilib -c $$< -o $$@
$(1)/lib/libensad.a: $(patsubst lib/%.c,$(1)/obj/lib/%.o,$(LIB_SRC)) | $(1)/lib
	@echo "  AR    $$@"
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(1)/bin/ensad-%: $(1)/obj/stages/%.o $(1)/lib/libensad.a | $(1)/bin
	@echo "  LD    $$@"
	$$(Q)$$(CC) $(2) $$< $(1)/lib/libensad.a $$(PKG_LIBS) -o $$@
$(1)/obj/lib $(1)/obj/stages $(1)/obj/tests $(1)/lib $(1)/bin $(1)/test:
	mkdir -p $$@
endef

$(eval $(call tree,$(BUILD),$(OPT)))
$(eval $(call tree,$(BUILD)/asan,-O1 -g $(SAN)))

BINS      = $(addprefix $(BUILD)/bin/ensad-,$(STAGES))
ASAN_BINS = $(addprefix $(BUILD)/asan/bin/ensad-,$(STAGES))

.PHONY: all deps run check check-unit check-pipeline check-slurm bench \
        data install clean format
all: $(BINS)

deps:
	@scripts/install-deps

$(BUILD)/asan/obj/tests/%.o: tests/unit/%.c $(LIB_HDR) | $(BUILD)/asan/obj/tests
	@echo "  CC    $@"
	$(Q)$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) $(CRIT_CFLAGS) \
	    -Ilib -c $< -o $@
$(BUILD)/asan/test/unit: $(patsubst tests/unit/%.c,$(BUILD)/asan/obj/tests/%.o,$(UNIT_SRC)) \
                         $(BUILD)/asan/lib/libensad.a | $(BUILD)/asan/test
	@echo "  LD    $@"
	$(Q)$(CC) $(SAN) $^ $(PKG_LIBS) $(CRIT_LIBS) -o $@

# Sanitizer settings for every test. OpenMPI's own allocations are not
# ours: mpi_start() hides those made in MPI_Init from LeakSanitizer, and
# tests/lsan.supp suppresses the rest by library.
TEST_ENV = ASAN_OPTIONS=detect_leaks=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
           OPENBLAS_NUM_THREADS=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
           OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
           ENSAD_SHARED=$(abspath ../shared) ENSAD_BUILD=$(abspath $(BUILD))

check: deps
	@$(MAKE) -k --no-print-directory check-unit check-pipeline check-slurm

check-unit: $(BUILD)/asan/test/unit
	@$(TEST_ENV) $(BUILD)/asan/test/unit --jobs 2

check-pipeline: $(BINS) $(ASAN_BINS)
	@$(TEST_ENV) tests/pipeline/run-all

# A private Slurm needs root (munge runs as its own user, the daemons as
# root); elsewhere the Slurm test says it was skipped.
check-slurm: $(BINS)
	@if [ "$$(id -u)" -ne 0 ]; then \
	    echo "slurm: skipped: starting a private Slurm needs root"; \
	else scripts/install-deps --slurm && \
	    $(TEST_ENV) tests/slurm/check-slurm; fi

run: deps
	@$(MAKE) --no-print-directory all
	OPENBLAS_NUM_THREADS=1 jobs/run-local configs/default.ini run/default

bench: $(BINS)
	bench/run

data:
	scripts/fetch-ecg5000 data/ecg5000

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ensad/jobs \
	    $(DESTDIR)$(PREFIX)/share/ensad/configs
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin
	install -m 0755 jobs/* $(DESTDIR)$(PREFIX)/share/ensad/jobs
	install -m 0644 configs/*.ini $(DESTDIR)$(PREFIX)/share/ensad/configs

format:
	clang-format -i lib/*.[ch] stages/*.c tests/unit/*.c

clean:
	rm -rf $(BUILD)
.SECONDARY:
