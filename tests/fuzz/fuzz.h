/* tests/fuzz/fuzz.h -- what every libFuzzer harness of tests/fuzz/ shares.
 *
 * A harness is tests/fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput: it
 * feeds the bytes to one reader (the scenario parser and the model, the
 * profile merge, the experiments loader, the CSV readers) and asserts the
 * contract: a status of 0 or 2 (1 only for out of memory), an error that
 * is one line starting with the name of the file it read, and finite
 * outputs (the finite-output guards pass). A broken contract aborts with
 * "fuzz contract: ..." so libFuzzer records the input.
 *
 * The same harness builds two ways (Makefile): with clang and
 * -fsanitize=fuzzer for `make fuzz`, and with the plain compiler against
 * tests/fuzz/replay.c, a main() that runs every file of the given corpus
 * folders once (`make test` replays tests/fuzz/corpus/NAME/).
 */
#ifndef FORKCAST_TESTS_FUZZ_H
#define FORKCAST_TESTS_FUZZ_H

#include "model/scenario.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536   /* larger inputs are skipped: the reader's limits are tested elsewhere */

#define FUZZ_ASSERT(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz contract: " __VA_ARGS__); \
    fputc('\n', stderr); abort(); } } while (0)

/* The bytes written to a file NAME in this process's own temp folder
 * (removed at exit); returns its path (static storage, per name slot). */
const char *fuzz_file(const char *name, const void *data, size_t size);

/* rc is 0, 2, or 1 with "out of memory"; on failure err is non-empty and
 * starts with "WHO: " for one of the nwho names. */
void fuzz_check_status(int rc, const char *err, const char *const *who, int nwho);

/* Run the model on s (at most 4 of its GPU counts; break-even only when the
 * per-frame time is fixed, where it is fast) and assert the result passes
 * model_eval_check. */
void fuzz_model(model_scenario *s);

#endif
