/*
 * cli.h - the sub-commands of the borderflow program. The CLI is the only
 * code that prints to stderr and chooses exit statuses:
 * 0 success, 1 a run failed, 2 bad input or usage, 130/143 interrupted.
 */
#ifndef BF_CLI_H
#define BF_CLI_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_RUN_FAILED 1
#define EXIT_BAD_INPUT  2

/* The signal that asked to stop, or 0. A lock-free atomic (C11 7.14.1.1:
 * safe to write from a signal handler) because worker threads read it. */
extern atomic_int bf_cli_signal;

/* "SIGTERM" for SIGTERM, else "SIGINT". */
const char *bf_cli_signal_name(int sig);

/* Sets "plots" in FOLDER/run.json to `plots` (what a drawing did: "drawn",
 * "failed: ...", "not drawn: ..."), rewriting it through a temporary
 * file. 0, or an error code with d set. */
struct bf_diag;
int bf_cli_record_plots(const char *folder, const char *plots, struct bf_diag *d);

/* Drawing a results folder (cmd_run.c says what each does). */
struct bf_report_options;
int bf_cli_finish_report(const char *prog, const char *folder, const char *name,
                         const struct bf_report_options *ro, bool pdf, const char *plots);
int bf_cli_redraw(const char *prog, const char *folder, const char *name,
                  const struct bf_report_options *ro, bool pdf);

/* Makes SIGINT and SIGTERM set bf_cli_signal (no SA_RESTART: a blocking
 * call returns EINTR). */
void bf_cli_install_signals(void);

int bf_cmd_run(int argc, char **argv);
int bf_cmd_validate(int argc, char **argv);
int bf_cmd_plot(int argc, char **argv);
int bf_cmd_compare(int argc, char **argv);
int bf_cmd_schema(int argc, char **argv);
int bf_cmd_params(int argc, char **argv);
int bf_cmd_fit(int argc, char **argv);
int bf_cmd_calibrate(int argc, char **argv);

/* Prints every problem of a failed load to stderr. */
struct bf_problems;
void bf_cli_print_problems(const struct bf_problems *p);

/* Expands arguments (files, or folders of *.json, sorted) into paths.
 * Returns the count, or -1 after printing why (BF_CLI_EXPAND_NOMEM when
 * memory ran out: exit status 1, not 2). *out is bf__malloc'd. */
#define BF_CLI_EXPAND_NOMEM (-2)
int bf_cli_expand(int argc, char **argv, char ***out);
void bf_cli_free_paths(char **paths, int n);

/* A size for --max-memory: a positive number of bytes, or with the
 * suffix K, M or G (powers of 1024). False when s is not one. */
bool bf_cli_parse_size(const char *s, uint64_t *out);

/* A count for --max-work: a positive number, or with the suffix K, M or G
 * (powers of 1000). False when s is not one. */
bool bf_cli_parse_count(const char *s, double *out);

/* Prints "work: ..." for the estimate of a run at `jobs` threads (one
 * line, to f, after prefix). */
struct bf_work_estimate;
void bf_cli_print_estimate(FILE *f, const char *prefix, const struct bf_work_estimate *e,
                           unsigned jobs);

/* The names given with --city (repeatable), in order; bf__malloc'd. */
struct bf_cli_cities {
    char **name;
    size_t n, cap;
};
/* Adds one; -1 after printing why (out of memory, an empty name). */
int bf_cli_cities_add(struct bf_cli_cities *c, const char *name, const char *cmd);
void bf_cli_cities_fini(struct bf_cli_cities *c);

/* What "select" or --city kept, for the "valid:" and run lines: "" when
 * every city listed is kept, else " (2 of the 45 listed, kept by
 * \"select\": Hefei, Zhengzhou)" (the names when they are few). */
struct bf_scenario;
void bf_cli_describe_selection(const struct bf_scenario *sc, char *buf, size_t size);

#endif
