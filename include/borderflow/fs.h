/*
 * fs.h - files and folders: what the output and plot layers share when they
 * write into a results folder.
 *
 * A results folder may sit where others can write (a shared disk, /tmp), and
 * the quick start runs as root, so nothing here follows a link planted in
 * it: a file is written to a new temporary file that no one else can have
 * made (mkstemp: O_CREAT | O_EXCL, a random name) and renamed over the final
 * name (rename replaces a link, never its target); the folders written into
 * are refused when they are links; paths are checked for length and never
 * cut short; and a folder is locked while a run writes it, so two runs
 * cannot mix their files.
 */
#ifndef BORDERFLOW_FS_H
#define BORDERFLOW_FS_H

#include <stdio.h>

#include "borderflow/error.h"

/* The longest path borderflow builds (PATH_MAX on Linux). */
#define BF_PATH_MAX 4096

/* Creates path and its missing parents (mode 0777 less the umask). 0, or
 * BF_EIO with diag naming the directory that could not be made, or the path
 * when it exists but is not a directory. An empty path is BF_EINVAL. */
int bf_mkdirs(const char *path, struct bf_diag *diag);

/* dir/name into buf; BF_EINVAL with diag when it does not fit: never a
 * path cut short. */
int bf_path_join(char *buf, size_t size, const char *dir, const char *name, struct bf_diag *diag);

/* 0 when dir is a directory and not a symbolic link; BF_EIO with diag
 * otherwise (BF_ENOENT when it does not exist). */
int bf_dir_check(const char *dir, struct bf_diag *diag);

/*
 * A new temporary file in dir for the final name `name`: dir/.name.XXXXXX
 * made by mkstemp, opened for writing. Its path goes to tmp (tmp_size
 * bytes). NULL with diag (BF_EIO or BF_EINVAL in *rc) on failure.
 */
FILE *bf_temp_create(const char *dir, const char *name, char *tmp, size_t tmp_size, int *rc,
                     struct bf_diag *diag);

/* Closes f (flushed and synced to disk) and renames tmp to dir/name; on
 * any failure tmp is removed and BF_EIO returned with diag (a full disk
 * names the file). ok == 0 means the writer failed already: tmp is only
 * removed. */
int bf_temp_commit(FILE *f, const char *tmp, const char *dir, const char *name, int ok,
                   struct bf_diag *diag);

/* The lock file of a results folder (hidden; holds the writer's pid). */
#define BF_LOCK_FILE ".borderflow.lock"

/*
 * Locks dir for this process: flock on dir/BF_LOCK_FILE, which holds the
 * process id (the lock ends with the process, however it ends). 0 with
 * *fd the lock; BF_EBUSY with diag naming the folder and the other
 * process when it holds the lock; BF_EIO. bf_dir_unlock(fd) releases it.
 */
int bf_dir_lock(const char *dir, int *fd, struct bf_diag *diag);
void bf_dir_unlock(int fd);

#endif
