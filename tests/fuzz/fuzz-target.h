/* fuzz-target.h: the one entry point every fuzz target defines
 *
 * Built with -Dfuzzing=true each target links libFuzzer; in every build it
 * also links fuzz-replay.c, which feeds it the corpus as an ordinary test.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);
