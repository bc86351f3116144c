/*
 * cmd_schema.c - borderflow schema and borderflow params: the scenario
 * format and the model's parameters, printed from the tables the loader
 * uses (docs/scenario.schema.json and the table of docs/parameters.md are
 * this output).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "borderflow/borderflow.h"

#include "cli.h"

int bf_cmd_schema(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        puts("usage: borderflow schema\n\nPrints the JSON Schema of scenario files "
             "(docs/scenario.schema.json).");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "borderflow schema: unexpected argument '%s'\n", argv[1]);
        return EXIT_BAD_INPUT;
    }
    char *s;
    size_t n;
    if (bf_scenario_write_schema(&s, &n) != 0) {
        fputs("borderflow: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    fwrite(s, 1, n, stdout);
    bf__free(s);
    return 0;
}

static void fmt_dist(const struct bf_dist *d, char *buf, size_t size)
{
    switch (d->kind) {
    case BF_DIST_FIXED:
        snprintf(buf, size, "%g", d->p[0]);
        break;
    case BF_DIST_UNIFORM:
        snprintf(buf, size, "uniform(%g, %g)", d->p[0], d->p[1]);
        break;
    case BF_DIST_TRIANGULAR:
        snprintf(buf, size, "triangular(%g, %g, %g)", d->p[0], d->p[1], d->p[2]);
        break;
    case BF_DIST_EXPONENTIAL:
        snprintf(buf, size, "exponential(mean %g)", d->p[0]);
        break;
    case BF_DIST_LOGNORMAL:
        snprintf(buf, size, "lognormal(mu %.3f, sigma %.3f): median %.3g, p90 %.3g, mean %.3g",
                 d->p[0], d->p[1], exp(d->p[0]), bf_dist_quantile(d, 0.9), bf_dist_mean(d));
        break;
    case BF_DIST_GAMMA:
        snprintf(buf, size, "gamma(shape %.3g, scale %.3g): mean %.3g, cv %.2f", d->p[0], d->p[1],
                 bf_dist_mean(d), 1.0 / sqrt(d->p[0]));
        break;
    case BF_DIST_WEIBULL:
        snprintf(buf, size, "weibull(shape %g, scale %g)", d->p[0], d->p[1]);
        break;
    case BF_DIST_EMPIRICAL: {
        size_t k = (size_t)snprintf(buf, size, "empirical(");
        for (unsigned i = 0; i < d->n && k < size; i++)
            k += (size_t)snprintf(buf + k, size - k, "%s%g:%g", i ? ", " : "", d->v[i], d->w[i]);
        if (k < size)
            snprintf(buf + k, size - k, ")");
        break;
    }
    case BF_DIST_BERNOULLI:
        snprintf(buf, size, "bernoulli(%g)", d->p[0]);
        break;
    default:
        snprintf(buf, size, "?");
    }
}

static void fmt_value(const struct bf_param_info *pi, const void *base, char *buf, size_t size)
{
    const unsigned char *b = (const unsigned char *)base + pi->offset;
    double v;
    uint32_t u;
    int i;
    switch (pi->type) {
    case BF_PT_NUMBER:
    case BF_PT_PROB:
        memcpy(&v, b, sizeof v);
        snprintf(buf, size, "%g", v);
        break;
    case BF_PT_UINT:
        memcpy(&u, b, sizeof u);
        snprintf(buf, size, "%u", (unsigned)u);
        break;
    case BF_PT_BOOL:
        memcpy(&i, b, sizeof i);
        snprintf(buf, size, "%s", i ? "true" : "false");
        break;
    case BF_PT_ENUM:
        memcpy(&i, b, sizeof i);
        snprintf(buf, size, "%s", pi->choices[i]);
        break;
    case BF_PT_DIST: {
        struct bf_dist d;
        memcpy(&d, b, sizeof d);
        fmt_dist(&d, buf, size);
        break;
    }
    case BF_PT_SCHEDULE: {
        struct bf_periodic p;
        memcpy(&p, b, sizeof p);
        static const char *const wd[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        if (p.kind == BF_PERIODIC_WEEKLY) {
            size_t k = (size_t)snprintf(buf, size, "weekly");
            for (int w = 0; w < 7 && k < size; w++)
                if (p.weekday_mask & (1u << w))
                    k += (size_t)snprintf(buf + k, size - k, " %s", wd[w]);
            if (k < size)
                snprintf(buf + k, size - k, " at %g h", p.at_hour);
        } else if (p.kind == BF_PERIODIC_DAILY) {
            snprintf(buf, size, "daily at %g h", p.at_hour);
        } else if (p.kind == BF_PERIODIC_MONTHLY) {
            snprintf(buf, size, "monthly on day %u at %g h", (unsigned)p.day_of_month, p.at_hour);
        } else if (p.kind == BF_PERIODIC_INTERVAL) {
            snprintf(buf, size, "every %g h", p.interval_h);
        } else {
            snprintf(buf, size, "continuous");
        }
        break;
    }
    case BF_PT_MONTHS12: {
        double m[12];
        memcpy(m, b, sizeof m);
        size_t k = 0;
        for (int j = 0; j < 12 && k < size; j++)
            k += (size_t)snprintf(buf + k, size - k, "%s%g", j ? " " : "", m[j]);
        break;
    }
    case BF_PT_LANE_WEIGHTS:
        snprintf(buf, size, "(see the channel tables)");
        break;
    }
}

static void table(const char *title, const char *prefix, const struct bf_param_info *t, size_t n,
                  const void *base)
{
    printf("\n### %s\n\n| parameter | default | unit | meaning | source |\n|---|---|---|---|---|\n",
           title);
    for (size_t i = 0; i < n; i++) {
        char v[256];
        fmt_value(&t[i], base, v, sizeof v);
        printf("| `%s%s` | %s | %s | %s | %s |\n", prefix, t[i].path, v,
               t[i].unit[0] ? t[i].unit : "-", t[i].doc, t[i].source);
    }
}

int bf_cmd_params(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        puts("usage: borderflow params\n\nPrints every model parameter with its default, unit, "
             "meaning and source\nas Markdown tables (docs/parameters.md).");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "borderflow params: unexpected argument '%s'\n", argv[1]);
        return EXIT_BAD_INPUT;
    }
    struct bf_params p;
    bf_params_default(&p);
    puts("# Model parameters and their defaults\n\n"
         "Generated by `borderflow params` from the tables the scenario loader uses; a test "
         "(integration.docs.params) keeps this file equal to that output. Sources name "
         "entries of [sources.md](sources.md) in brackets (`[C2, D1]`); *assumption [Xn]* "
         "marks a value no source gives, with its range in the Assumptions table there.");
    table("Scalars (`defaults.<section>.<name>`)", "", bf_param_table, bf_param_table_n, &p);
    for (unsigned k = 0; k < p.n_categories; k++) {
        char title[96], prefix[64];
        snprintf(title, sizeof title, "Goods category `%s`", p.category[k].name);
        snprintf(prefix, sizeof prefix, "categories.%s.", p.category[k].name);
        table(title, prefix, bf_category_table, bf_category_table_n, &p.category[k]);
    }
    for (unsigned k = 0; k < p.n_lanes; k++) {
        char title[96], prefix[64];
        snprintf(title, sizeof title, "Lane `%s`", p.lane[k].name);
        snprintf(prefix, sizeof prefix, "lanes.%s.", p.lane[k].name);
        table(title, prefix, bf_lane_table, bf_lane_table_n, &p.lane[k]);
    }
    for (int c = 0; c < BF_CH_COUNT; c++) {
        char title[96], prefix[64];
        snprintf(title, sizeof title, "Channel `%s`", bf_channel_code((enum bf_channel)c));
        snprintf(prefix, sizeof prefix, "channels.%s.", bf_channel_code((enum bf_channel)c));
        table(title, prefix, bf_channel_table, bf_channel_table_n, &p.channel[c]);
        printf("\nLane weights of channel %s:", bf_channel_code((enum bf_channel)c));
        for (unsigned k = 0; k < p.n_lanes; k++)
            if (p.channel[c].lane_weight[k] > 0)
                printf(" %s %g;", p.lane[k].name, p.channel[c].lane_weight[k]);
        puts("");
    }
    return 0;
}
