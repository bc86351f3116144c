/*
 * fuzz.h - the entry every fuzz input goes through, shared by the libFuzzer
 * target (fuzz_scenario, BF_FUZZ=ON) and the replay driver that runs the
 * regression inputs as an ordinary test (fuzz_replay).
 */
#ifndef BF_FUZZ_H
#define BF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Loads data as a scenario file; aborts on any broken contract. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs so far that loaded as valid scenarios (and were run briefly). */
extern unsigned long bf_fuzz_n_valid;

#endif
