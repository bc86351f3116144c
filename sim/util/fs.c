/*
 * fs.c - files and folders (fs.h).
 */
#include "borderflow/fs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int bf_mkdirs(const char *path, struct bf_diag *diag)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        bf_diag_set(diag, "output directory path is empty or too long");
        return BF_EIO;
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
