/*
 * position.c - where each node of a parsed JSON tree was written.
 *
 * cJSON reports no positions, so after a successful parse the text is
 * scanned once more in step with the tree (both are in document order) and
 * each node's line and column are kept in a table keyed by node pointer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

/* ---- positions ---- */

static size_t ptr_hash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static struct bf__pos *pos_slot(struct bf__doc *doc, const cJSON *node)
{
    if (2 * (doc->pos_n + 1) > doc->pos_cap) {
        size_t ncap = doc->pos_cap ? 2 * doc->pos_cap : 256;
        struct bf__pos *nt = bf__calloc(ncap, sizeof *nt);
        if (nt == NULL) {
            doc->oom = true;
            return NULL;
        }
        for (size_t i = 0; i < doc->pos_cap; i++) {
            if (doc->pos[i].node == NULL)
                continue;
            size_t j = ptr_hash(doc->pos[i].node, ncap);
            while (nt[j].node != NULL)
                j = (j + 1) & (ncap - 1);
            nt[j] = doc->pos[i];
        }
        bf__free(doc->pos);
        doc->pos = nt;
        doc->pos_cap = ncap;
    }
    size_t j = ptr_hash(node, doc->pos_cap);
    while (doc->pos[j].node != NULL && doc->pos[j].node != node)
        j = (j + 1) & (doc->pos_cap - 1);
    if (doc->pos[j].node == NULL) {
        doc->pos[j].node = node;
        doc->pos_n++;
    }
    return &doc->pos[j];
}

const struct bf__pos *bf__doc_pos(const struct bf__doc *doc, const cJSON *node)
{
    if (doc->pos_cap == 0)
        return NULL;
    size_t j = ptr_hash(node, doc->pos_cap);
    while (doc->pos[j].node != NULL) {
        if (doc->pos[j].node == node)
            return &doc->pos[j];
        j = (j + 1) & (doc->pos_cap - 1);
    }
    return NULL;
}


static void adv(struct bf__scan *sc)
{
    unsigned char c = (unsigned char)sc->s[sc->i++];
    if (c == '\n') {
        sc->line++;
        sc->col = 1;
    } else if ((c & 0xC0) != 0x80) { /* count characters, not UTF-8 bytes */
        sc->col++;
    }
}

static void skip_ws(struct bf__scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
                             sc->s[sc->i] == '\r'))
        adv(sc);
}

static void skip_string(struct bf__scan *sc)
{
    adv(sc); /* opening quote */
    while (sc->i < sc->n && sc->s[sc->i] != '"') {
        if (sc->s[sc->i] == '\\' && sc->i + 1 < sc->n) {
            if (sc->nul_line == 0 && sc->i + 6 <= sc->n &&
                memcmp(sc->s + sc->i, "\\u0000", 6) == 0) {
                sc->nul_line = sc->line;
                sc->nul_col = sc->col;
            }
            adv(sc);
        }
        adv(sc);
    }
    if (sc->i < sc->n)
        adv(sc);
}

static void expect(struct bf__scan *sc, char c)
{
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == c)
        adv(sc);
}

/* The text parsed, so it is valid JSON: the scan only keeps step. */
void bf__scan_value(struct bf__doc *doc, struct bf__scan *sc, const cJSON *node, uint16_t file)
{
    skip_ws(sc);
    struct bf__pos *p = pos_slot(doc, node);
    if (p == NULL)
        return;
    p->file = file;
    p->line = sc->line;
    p->col = sc->col;
    if (sc->i >= sc->n)
        return;
    char c = sc->s[sc->i];
    if (c == '{') {
        adv(sc);
        for (const cJSON *ch = node->child; ch != NULL; ch = ch->next) {
            skip_ws(sc);
            int kl = sc->line, kc = sc->col;
            skip_string(sc);
            expect(sc, ':');
            bf__scan_value(doc, sc, ch, file);
            struct bf__pos *cp = pos_slot(doc, ch);
            if (cp != NULL) {
                cp->key_line = kl;
                cp->key_col = kc;
            }
            expect(sc, ',');
        }
        expect(sc, '}');
    } else if (c == '[') {
        adv(sc);
        for (const cJSON *ch = node->child; ch != NULL; ch = ch->next) {
            bf__scan_value(doc, sc, ch, file);
            expect(sc, ',');
        }
        expect(sc, ']');
    } else if (c == '"') {
        skip_string(sc);
    } else {
        while (sc->i < sc->n && !strchr(",]} \t\r\n", sc->s[sc->i]))
            adv(sc);
    }
}

void bf__line_col(const char *text, size_t off, int *line, int *col)
{
    struct bf__scan sc = {.s = text, .n = off, .line = 1, .col = 1};
    while (sc.i < off)
        adv(&sc);
    *line = sc.line;
    *col = sc.col;
}
