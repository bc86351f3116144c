/*
 * version.c - the version of the program, from the CMake project.
 */
#include "borderflow/borderflow.h"

const char *bf_version(void)
{
    return BF_VERSION;
}
