/*
 * fs.h - files and folders: what the output and plot layers share when they
 * write into a results folder.
 */
#ifndef BORDERFLOW_FS_H
#define BORDERFLOW_FS_H

#include "borderflow/error.h"

/* Creates path and its missing parents (mode 0777 less the umask). 0, or
 * BF_EIO with diag naming the directory that could not be made, or the path
 * when it exists but is not a directory. An empty path is BF_EIO. */
int bf_mkdirs(const char *path, struct bf_diag *diag);

#endif
