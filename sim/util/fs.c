/*
 * fs.c - files and folders (fs.h).
 */
#define _DEFAULT_SOURCE /* flock: a lock that names no byte range and ends with the process */

#include "borderflow/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int bf_mkdirs(const char *path, struct bf_diag *diag)
{
    char buf[BF_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0) {
        bf_diag_set(diag, "the output directory is an empty path");
        return BF_EINVAL;
    }
    if (n >= sizeof buf) {
        bf_diag_set(diag, "output directory path too long (%zu bytes, at most %zu)", n,
                    sizeof buf - 1);
        return BF_EINVAL;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char keep = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            bf_diag_set(diag, "cannot create directory '%s': %s", buf, strerror(errno));
            return BF_EIO;
        }
        buf[i] = keep;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        bf_diag_set(diag, "'%s' is not a directory", path);
        return BF_EIO;
    }
    return 0;
}

int bf_path_join(char *buf, size_t size, const char *dir, const char *name, struct bf_diag *diag)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        bf_diag_set(diag, "path too long: '%s/%s' (%zu bytes, at most %zu)", dir, name,
                    strlen(dir) + 1 + strlen(name), size - 1);
        return BF_EINVAL;
    }
    return 0;
}

int bf_dir_check(const char *dir, struct bf_diag *diag)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        int e = errno;
        bf_diag_set(diag, "cannot use '%s': %s", dir, strerror(e));
        return e == ENOENT ? BF_ENOENT : BF_EIO;
    }
    if (S_ISLNK(st.st_mode)) {
        bf_diag_set(diag,
                    "'%s' is a symbolic link: borderflow writes only into real directories "
                    "(a link planted in a results folder could redirect its files); remove it",
                    dir);
        return BF_EIO;
    }
    if (!S_ISDIR(st.st_mode)) {
        bf_diag_set(diag, "'%s' is not a directory", dir);
        return BF_EIO;
    }
    return 0;
}

FILE *bf_temp_create(const char *dir, const char *name, char *tmp, size_t tmp_size, int *rc,
                     struct bf_diag *diag)
{
    char leaf[512];
    int n = snprintf(leaf, sizeof leaf, ".%s.XXXXXX", name);
    if (n < 0 || (size_t)n >= sizeof leaf) {
        bf_diag_set(diag, "file name too long: '%s'", name);
        *rc = BF_EINVAL;
        return NULL;
    }
    if ((*rc = bf_path_join(tmp, tmp_size, dir, leaf, diag)) != 0)
        return NULL;
    /* mkstemp: O_CREAT | O_EXCL with a random name, mode 0600; made 0644 as
     * the results are meant to be read */
    int fd = mkstemp(tmp);
    if (fd < 0) {
        bf_diag_set(diag, "cannot create a file in '%s': %s", dir, strerror(errno));
        *rc = BF_EIO;
        return NULL;
    }
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        bf_diag_set(diag, "cannot set up '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        *rc = BF_EIO;
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        bf_diag_set(diag, "cannot open '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        *rc = BF_EIO;
        return NULL;
    }
    *rc = 0;
    return f;
}

int bf_temp_commit(FILE *f, const char *tmp, const char *dir, const char *name, int ok,
                   struct bf_diag *diag)
{
    int bad = !ok || ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0)
        bad = 1;
    char fin[BF_PATH_MAX];
    int rc = bf_path_join(fin, sizeof fin, dir, name, diag);
    if (rc == 0 && bad) {
        if (ok)
            bf_diag_set(diag, "could not write '%s' (disk full?)", fin);
        rc = BF_EIO;
    }
    if (rc == 0 && rename(tmp, fin) != 0) {
        bf_diag_set(diag, "cannot rename '%s' to '%s': %s", tmp, fin, strerror(errno));
        rc = BF_EIO;
    }
    if (rc != 0)
        unlink(tmp);
    return rc;
}

int bf_dir_lock(const char *dir, int *fd, struct bf_diag *diag)
{
    *fd = -1;
    char path[BF_PATH_MAX];
    int rc = bf_path_join(path, sizeof path, dir, BF_LOCK_FILE, diag);
    if (rc != 0)
        return rc;
    int d = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (d < 0) {
        bf_diag_set(diag, "cannot open the lock file '%s': %s", path, strerror(errno));
        return BF_EIO;
    }
    if (flock(d, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = e == EWOULDBLOCK ? pread(d, pid, sizeof pid - 1, 0) : -1;
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(d);
        if (e == EWOULDBLOCK) {
            bf_diag_set(diag,
                        "'%s' is being written by another borderflow process (pid %s); wait "
                        "for it to finish or choose another -o",
                        dir, pid[0] ? pid : "unknown");
            return BF_EBUSY;
        }
        bf_diag_set(diag, "cannot lock '%s': %s", path, strerror(e));
        return BF_EIO;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(d, 0) != 0 || pwrite(d, pid, (size_t)len, 0) != len) {
        bf_diag_set(diag, "cannot write the lock file '%s': %s", path, strerror(errno));
        close(d);
        return BF_EIO;
    }
    *fd = d;
    return 0;
}

void bf_dir_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* the lock goes with the descriptor; the file stays (removing it
                    * would let a third process lock a file no longer in the folder) */
}
