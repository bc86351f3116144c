/*
 * report.c - report.html: one self-contained page for management.
 *
 * Built from the results folder alone (DESIGN.md: the folder is the only
 * interface between simulating and presenting): the headline is the rows
 * of totals.csv, the order of the cities is ranking.csv, the scenario's
 * words, assumptions and caveats are summary.json's. Nothing here computes
 * a statistic; it chooses, words and formats what the run computed. Every
 * number carries its unit and the file it comes from.
 *
 * The first screen answers the manager's question -- how much working
 * capital the policy releases, from which component, how sure, what it is
 * worth a year -- and the box below it names what the answer rests on.
 * English or Chinese (--lang): every sentence is in the two tables of
 * words below; numbers, names and sources are the same in both.
 *
 * All text that did not come from this file -- names, descriptions and
 * notes from the scenario, the run record -- goes through esc(), so it is
 * shown and never interpreted. The page also declares a Content Security
 * Policy that allows no script and no resource but its own data: URIs, so
 * a mistake in the escaping could still not run anything.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "borderflow/alloc.h"
#include "borderflow/fs.h"
#include "borderflow/plot.h"

#include "charts.h"

#define BF_MAX_SENS_PARAMS_PLOT 20
#include "internal.h"

/* ---- the words, in English and Chinese ---- */

struct words {
    const char *lang, *title_suffix, *against, *meta_cities, *meta_city, *meta_reps;
    const char *nav[8];
    /* headline */
    const char *h_kicker, *h_all_cities, *h_one_city, *h_ci, *h_paired, *h_of_wc, *h_of_wc_post;
    const char *h_no_change, *h_ties_up, *h_single;
    const char *c_saving, *c_saving_at, *c_saving_note, *c_per_m, *c_per_m_unit, *c_cities,
        *c_cities_of, *c_cities_note, *c_rebate, *c_rebate_note;
    const char *comp_title, *comp_head[3], *comp_name[4], *comp_total, *comp_note;
    const char *best, *worst, *per_m_words;
    const char *u_title, *u_band, *u_pct, *u_spread, *u_noise, *u_head[5], *u_method[2],
        *u_index[2];
    /* caveats */
    const char *cv_title, *cv_window, *cv_warmup_ok, *cv_warmup_short, *cv_warmup_limit,
        *cv_policies, *cv_assumed, *cv_assumed_none, *cv_calendar, *cv_candidates, *cv_noise,
        *cv_rate;
    /* sections */
    const char *s_charts, *s_cities, *s_cities_intro, *s_assumptions, *s_details, *s_record,
        *s_reading;
    const char *t_rank, *t_city, *t_class, *t_from, *t_released, *t_per_m, *t_rebate, *t_verdict;
    const char *v_above, *v_below, *v_unclear;
    const char *a_changed, *a_head[7], *a_none, *a_notes, *a_policies, *a_policy_head[3],
        *a_baseline, *a_compared, *a_horizon, *a_fin_rate, *a_disc_rate, *a_rule, *a_holidays,
        *a_projected, *a_seed, *a_cities, *a_city_head[7], *a_candidate_note, *a_params, *a_file,
        *a_sweeps, *a_sweep_head[4];
    const char *d_intro, *d_head[5];
    const char *r_none, *r_as_written;
    const char *charts_missing, *charts_one_policy, *chart_source;
    const char *reading[5];
    const char *footer;
    const char *money_m, *money_unit, *per_year, *days, *hours, *unbounded, *na, *to, *yes;
};

static const struct words en = {
    .lang = "en",
    .title_suffix = " - borderflow report",
    .against = " against ",
    .meta_cities = " cities",
    .meta_city = " city",
    .meta_reps = " replications per city and policy",
    .nav = {"Headline", "What it rests on", "Charts", "Cities", "Assumptions", "Every metric",
            "Run record", "How to read"},
    .h_kicker = "Working capital the policy releases: the mean over the window",
    .h_all_cities = ", all %u cities",
    .h_one_city = ", the one city",
    .h_ci = "95% interval ",
    .h_paired = " from paired replications (both policies see the same random shipments)",
    .h_of_wc = "; that is",
    .h_of_wc_post = " of the working capital before",
    .h_no_change = "Not distinguishable from no change: the interval includes zero.",
    .h_ties_up = "The policy ties up working capital: the interval lies below zero.",
    .h_single = "This scenario runs one policy: there is nothing to compare. The tables show "
                "its results.",
    .c_saving = "Financing saving",
    .c_saving_at = " a year at ",
    .c_saving_note = "the capital released times the scenario's financing rate",
    .c_per_m = "Per CNY million exported",
    .c_per_m_unit = " CNY",
    .c_cities = "Cities that gain",
    .c_cities_of = " of ",
    .c_cities_note = "interval of capital released above zero; below zero: ",
    .c_rebate = "Departure to VAT rebate",
    .c_rebate_note = "unweighted mean of the cities, before \xe2\x86\x92 after",
    .comp_title = "Where the capital comes from",
    .comp_head = {"component of working capital", "released", "95% interval"},
    .comp_name = {"export VAT rebate receivable", "stock abroad (in transit, overseas warehouse)",
                  "goods on their way back to China", "trade receivables"},
    .comp_total = "total (the components add up to it)",
    .comp_note = "Means over the measurement window; a negative figure is capital the policy "
                 "ties up.",
    .u_title = "How sure, given the unknowns",
    .u_band = "For the assumed ranges of %s unknowns together (%s, %s samples), the capital "
              "released lies between ",
    .u_pct = " (5th to 95th percentile of the samples)",
    .u_spread = "; most of the spread comes from ",
    .u_noise = "Replication noise beside it: a standard error of ",
    .u_head = {"unknown", "range", "effect on capital released", "95% interval", "source"},
    .u_method = {"Morris screening", "Sobol' indices"},
    .u_index = {"mu* (mean absolute effect over its range, CNY)",
                "total-order index (share of the variance)"},
    .best = "Most per CNY million exported: ",
    .worst = "least: ",
    .per_m_words = " CNY per CNY million",
    .cv_title = "What these numbers rest on",
    .cv_window = "Measured in steady state: the window %s to %s (%u days), after a warm-up of "
                 "%u days from an empty pipeline, so that the start-up does not count.",
    .cv_warmup_ok = " MSER-5 on the cities' working capital finds %u days of start-up: the "
                    "warm-up covers it.",
    .cv_warmup_short = " MSER-5 on the cities' working capital finds %u days of start-up, more "
                       "than the warm-up: the first days of the window may still carry it.",
    .cv_warmup_limit = " MSER-5 stopped at its limit: the series still trends at half the run; "
                       "treat the levels with care.",
    .cv_policies = "Before: ",
    .cv_assumed = " parameters of the scenario are set away from the built-in defaults "
                  "(listed under Assumptions, each with its source or marked an assumption).",
    .cv_assumed_none = "No parameter is set away from the built-in defaults "
                       "(docs/parameters.md gives each one's source).",
    .cv_calendar = "Public holidays of %s are projected from the statutory rule (no official "
                   "notice yet): working-day counts near long breaks can be off by up to two "
                   "days.",
    .cv_candidates = " of the cities are candidates the sources do not name; their results "
                     "rest on that assumption.",
    .cv_noise = "The intervals measure simulation noise only: the uncertainty of the assumed "
                "effects of the policy is not in them (sweeps and sensitivity studies show "
                "it).",
    .cv_rate = "Financing rate %s a year, discount rate %s a year: the scenario's, an "
               "assumption of the analyst.",
    .s_charts = "Charts",
    .s_cities = "Cities, by capital released per CNY million exported",
    .s_cities_intro = "Best first. Capital released is the mean working capital before minus "
                      "after over the window, with its paired 95% interval; per CNY million "
                      "compares cities whatever their assumed volumes.",
    .s_assumptions = "Assumptions and sources",
    .s_details = "Every metric, per city",
    .s_record = "Run record",
    .s_reading = "How to read this report",
    .t_rank = "#",
    .t_city = "city",
    .t_class = "class",
    .t_from = "policy from",
    .t_released = "capital released, CNY",
    .t_per_m = "per CNY million exported, CNY",
    .t_rebate = "days to rebate, before \xe2\x86\x92 after",
    .t_verdict = "interval",
    .v_above = "above zero",
    .v_below = "below zero",
    .v_unclear = "includes zero",
    .a_changed = "Parameters set away from the built-in defaults",
    .a_head = {"policy", "parameter", "value", "default", "unit", "source", "cities"},
    .a_none = "None: every parameter has its built-in default.",
    .a_notes = "The scenario's notes",
    .a_policies = "Policies",
    .a_policy_head = {"policy", "role", "description"},
    .a_baseline = "baseline (before)",
    .a_compared = "compared (after)",
    .a_horizon = "Horizon and finance",
    .a_fin_rate = "financing rate",
    .a_disc_rate = "discount rate",
    .a_rule = "which rules a shipment follows",
    .a_holidays = "public holidays (official notices)",
    .a_projected = "projected years",
    .a_seed = "replications, seed",
    .a_cities = "Cities",
    .a_city_head = {"city", "province", "class", "candidate", "policy in force from",
                    "shipments a day", "note (source)"},
    .a_candidate_note = "A candidate city is a plausible one that the sources do not name.",
    .a_params = "The model's parameters, their defaults and the source of each are listed by "
                "borderflow params (docs/parameters.md); docs/sources.md holds the sources.",
    .a_file = "Scenario file ",
    .a_sweeps = "Sweeps (one parameter at a time)",
    .a_sweep_head = {"sweep", "parameter", "policy", "values"},
    .d_intro = "Means over the replications with their 95% intervals; the change is after "
               "\xe2\x88\x92 before with the paired interval.",
    .d_head = {"metric", "unit", "before", "after", "change"},
    .r_none = "run.json was not written yet when this report was made.",
    .r_as_written = "run.json as written",
    .charts_missing = "Some charts were not drawn (gnuplot was not found, or failed: see the "
                      ".log files in charts/). With gnuplot installed, borderflow plot draws "
                      "them and rewrites this report: ",
    .charts_one_policy = "No charts: the scenario runs a single policy.",
    .chart_source = " Drawn by charts/%s.gp from charts/data/; SVG: charts/%s.svg.",
    .reading = {"Each city is simulated many times (replications) under each policy; a "
                "result is the mean over replications, and its 95% interval says how "
                "precisely the replications pin that mean down.",
                "Both runs of a replication see the same random shipments (common random "
                "numbers), so their difference measures the policy. When a change's interval "
                "excludes zero, the effect is distinguishable from simulation noise.",
                "Working capital is what the exporters' pipeline ties up at the end of each "
                "day: stock at cost abroad and on its way back, trade receivables and the "
                "export VAT rebate not yet received. Capital released is its mean over the "
                "window, before minus after.",
                "Totals over cities are formed per replication and then averaged, so their "
                "interval is that of the total, not a sum of the cities' intervals.",
                "Every number names its file in brackets; docs/report.md defines every "
                "figure and chart, docs/statistics.md every statistic."},
    .footer = "Written by borderflow from the results folder; borderflow plot rewrites it.",
    .money_m = " million CNY",
    .money_unit = " CNY",
    .per_year = " a year",
    .days = " d",
    .hours = " h",
    .unbounded = "unbounded",
    .na = "n/a",
    .to = " to ",
    .yes = "yes",
};

static const struct words zh = {
    .lang = "zh-CN",
    .title_suffix = " - borderflow 报告",
    .against = " 对比 ",
    .meta_cities = " 个城市",
    .meta_city = " 个城市",
    .meta_reps = " 次重复仿真（每个城市、每种政策）",
    .nav = {"要点", "前提", "图表", "城市", "假设", "全部指标", "运行记录", "阅读说明"},
    .h_kicker = "政策释放的营运资金：窗口期平均",
    .h_all_cities = "，全部 %u 个城市",
    .h_one_city = "，该城市",
    .h_ci = "95% 置信区间 ",
    .h_paired = "，来自配对重复仿真（两种政策面对相同的随机货物）",
    .h_of_wc = "，占政策前营运资金的",
    .h_of_wc_post = "",
    .h_no_change = "与无变化无法区分：区间包含零。",
    .h_ties_up = "政策占用营运资金：区间低于零。",
    .h_single = "本情景只运行一种政策，无可比较；下表为其结果。",
    .c_saving = "融资成本节约",
    .c_saving_at = "/年，融资利率 ",
    .c_saving_note = "释放的资金 × 情景的融资利率",
    .c_per_m = "每百万元出口",
    .c_per_m_unit = " 元",
    .c_cities = "受益城市",
    .c_cities_of = " / ",
    .c_cities_note = "释放资金的区间高于零；低于零：",
    .c_rebate = "离境至收到退税",
    .c_rebate_note = "各城市简单平均，政策前 \xe2\x86\x92 政策后",
    .comp_title = "资金从哪里释放",
    .comp_head = {"营运资金组成", "释放", "95% 区间"},
    .comp_name = {"应收出口退税", "境外存货（在途、海外仓）", "退运回国途中的货物", "应收账款"},
    .comp_total = "合计（各组成相加等于合计）",
    .comp_note = "测量窗口内的平均值；负数表示政策占用的资金。",
    .u_title = "考虑未知因素后的把握",
    .u_band = "在 %s 个未知因素同时按假设范围变化时（%s，%s 个样本），释放的资金介于 ",
    .u_pct = "（样本的第 5 至第 95 百分位）",
    .u_spread = "；差异主要来自 ",
    .u_noise = "相比之下，重复仿真噪声的标准误为 ",
    .u_head = {"未知因素", "范围", "对释放资金的影响", "95% 区间", "来源"},
    .u_method = {"Morris 筛选", "Sobol' 指数"},
    .u_index = {"mu*（在其范围内的平均绝对影响，元）", "总效应指数（方差份额）"},
    .best = "每百万元出口释放最多：",
    .worst = "最少：",
    .per_m_words = " 元/百万元",
    .cv_title = "这些数字的前提",
    .cv_window = "在稳态下测量：窗口 %s 至 %s（%u 天），此前从空管道预热 %u 天，启动过程不计入。",
    .cv_warmup_ok = " MSER-5 在各城市营运资金上找到 %u 天的启动期：预热已覆盖。",
    .cv_warmup_short =
        " MSER-5 在各城市营运资金上找到 %u 天的启动期，长于预热：窗口开头可能仍受影响。",
    .cv_warmup_limit = " MSER-5 达到上限：序列在运行中段仍有趋势，水平值须谨慎看待。",
    .cv_policies = "政策前：",
    .cv_assumed = " 个参数偏离内置默认值（见“假设”，各附来源或标为假设）。",
    .cv_assumed_none = "所有参数均为内置默认值（docs/parameters.md 列出各自来源）。",
    .cv_calendar =
        "%s 年的法定节假日按规则推算（尚无官方通知）：长假前后的工作日计数可能相差至多两天。",
    .cv_candidates = " 个城市为来源未点名的候选城市，其结果取决于这一假设。",
    .cv_noise = "区间只反映仿真噪声，不包含政策效果假设本身的不确定性（见参数扫描与敏感性分析）。",
    .cv_rate = "融资利率 %s/年，贴现率 %s/年：情景设定，属分析师的假设。",
    .s_charts = "图表",
    .s_cities = "各城市：按每百万元出口释放的资金排序",
    .s_cities_intro = "最优在前。释放的资金 = 窗口内政策前减政策后的平均营运资金，附配对 95% "
                      "区间；每百万元出口的数字可跨城市比较，不受假设的货量影响。",
    .s_assumptions = "假设与来源",
    .s_details = "全部指标（按城市）",
    .s_record = "运行记录",
    .s_reading = "阅读说明",
    .t_rank = "#",
    .t_city = "城市",
    .t_class = "类别",
    .t_from = "政策生效",
    .t_released = "释放的资金（元）",
    .t_per_m = "每百万元出口（元）",
    .t_rebate = "退税天数，前 \xe2\x86\x92 后",
    .t_verdict = "区间",
    .v_above = "高于零",
    .v_below = "低于零",
    .v_unclear = "包含零",
    .a_changed = "偏离内置默认值的参数",
    .a_head = {"政策", "参数", "取值", "默认", "单位", "来源", "城市数"},
    .a_none = "无：所有参数均为内置默认值。",
    .a_notes = "情景说明",
    .a_policies = "政策",
    .a_policy_head = {"政策", "角色", "说明"},
    .a_baseline = "基准（政策前）",
    .a_compared = "比较（政策后）",
    .a_horizon = "时间范围与财务",
    .a_fin_rate = "融资利率",
    .a_disc_rate = "贴现率",
    .a_rule = "货物适用规则",
    .a_holidays = "法定节假日（官方通知）",
    .a_projected = "推算年份",
    .a_seed = "重复次数、随机种子",
    .a_cities = "城市",
    .a_city_head = {"城市", "省份", "类别", "候选", "政策生效", "日均票数", "备注（来源）"},
    .a_candidate_note = "候选城市：来源未点名、但合理的城市。",
    .a_params = "模型参数、默认值及其来源见 borderflow params（docs/parameters.md）；来源见 "
                "docs/sources.md。",
    .a_file = "情景文件 ",
    .a_sweeps = "参数扫描（每次一个参数）",
    .a_sweep_head = {"扫描", "参数", "政策", "取值"},
    .d_intro = "重复仿真的平均值及 95% 区间；变化 = 政策后 \xe2\x88\x92 政策前，附配对区间。",
    .d_head = {"指标", "单位", "政策前", "政策后", "变化"},
    .r_none = "生成本报告时 run.json 尚未写出。",
    .r_as_written = "run.json 原文",
    .charts_missing = "部分图表未绘制（未找到 gnuplot 或绘制失败，见 charts/ 中的 .log "
                      "文件）。安装 gnuplot 后运行 borderflow plot 即可补绘并重写本报告：",
    .charts_one_policy = "无图表：本情景只运行一种政策。",
    .chart_source = " 由 charts/%s.gp 根据 charts/data/ 绘制；SVG：charts/%s.svg。",
    .reading = {"每个城市在每种政策下仿真多次（重复）；结果为重复的平均值，95% "
                "区间表示这些重复对平均值的确定程度。",
                "同一重复的两次运行面对相同的随机货物（公共随机数），差值衡量的是政策本身。"
                "变化的区间不含零时，效果可与仿真噪声区分。",
                "营运资金是出口企业每日末被占用的资金：境外及退运途中按成本计的存货、应收账款、"
                "尚未收到的出口退税。释放的资金 = 窗口内平均值，政策前减政策后。",
                "跨城市合计先按重复求和再平均，其区间是合计的区间，而非各城市区间之和。",
                "每个数字都在方括号中注明文件；docs/report.md 定义每个数字和图表，"
                "docs/statistics.md 定义每个统计量。"},
    .footer = "由 borderflow 根据结果文件夹生成；borderflow plot 可重写。",
    .money_m = " 万元",
    .money_unit = " 元",
    .per_year = "/年",
    .days = " 天",
    .hours = " 小时",
    .unbounded = "无界",
    .na = "无",
    .to = " 至 ",
    .yes = "是",
};

/* ---- text ---- */

/* HTML text and attribute values alike; control characters become U+FFFD
 * (a form feed or a stray escape has no business in a report). compare.c
 * writes its page with it too. */
void bf__html_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                fputs("&#xFFFD;", f);
            else
                fputc(*p, f);
        }
    }
}

static void esc(FILE *f, const char *s)
{
    bf__html_text(f, s);
}

/* v with `dec` decimals, thousands grouped with commas, a true minus sign;
 * NULL (the caller writes "n/a") when there is no number. */
static const char *num(char *buf, size_t size, double v, int dec)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", dec, fabs(v));
    if (strtod(raw, NULL) == 0.0)
        v = 0.0; /* no "-0" */
    const char *dot = strchr(raw, '.');
    size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw);
    size_t k = 0;
    if (v < 0 && k + 3 < size) {
        memcpy(buf, "\xe2\x88\x92", 3); /* U+2212 */
        k = 3;
    }
    for (size_t i = 0; i < int_len && k + 2 < size; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = raw[i];
    }
    for (const char *q = dot; q && *q && k + 1 < size; q++)
        buf[k++] = *q;
    buf[k] = '\0';
    return buf;
}

struct report {
    FILE *f;
    const struct bf__folder *fo;
    const struct words *w;
    int nomem;
};

/* A number, or the language's n/a. */
static void put_num(struct report *r, double v, int dec)
{
    char b[64];
    fputs(isfinite(v) ? num(b, sizeof b, v, dec) : r->w->na, r->f);
}

/* An amount of CNY for a sentence: millions (en) or ten-thousands (zh)
 * once it is that large, else whole yuan. scale is the divisor used, so a
 * range can share it. */
static double money_scale(const struct report *r, double v)
{
    const double big = r->w == &zh ? 1e4 : 1e6;
    return fabs(v) >= big ? big : 1.0;
}

static void put_money_scaled(struct report *r, double v, double scale)
{
    int dec = scale == 1.0 ? 0 : r->w == &zh ? 1 : 2;
    put_num(r, v / scale, dec);
}

static void put_money(struct report *r, double v)
{
    double s = money_scale(r, v);
    put_money_scaled(r, v, s);
    fputs(s == 1.0 ? r->w->money_unit : r->w->money_m, r->f);
}

/* "a to b UNIT" on the scale of the larger end */
static void put_money_range(struct report *r, double lo, double hi)
{
    double s = money_scale(r, fmax(fabs(lo), fabs(hi)));
    put_money_scaled(r, lo, s);
    fputs(r->w->to, r->f);
    put_money_scaled(r, hi, s);
    fputs(s == 1.0 ? r->w->money_unit : r->w->money_m, r->f);
}

static void put_pct(struct report *r, double share, int dec)
{
    put_num(r, 100.0 * share, dec);
    fputs("%", r->f);
}

static void src(FILE *f, const char *what)
{
    fputs(" <span class=\"src\">[", f);
    esc(f, what);
    fputs("]</span>", f);
}

/* The city as "杭州 Hangzhou" (the Chinese name first when there is one). */
static void city_label(FILE *f, const struct bf__city *c)
{
    if (c->name_zh[0]) {
        fputs("<span lang=\"zh-CN\">", f);
        esc(f, c->name_zh);
        fputs("</span> ", f);
    }
    esc(f, c->name);
}

/* Decimals that suit a unit. */
static int unit_decimals(const char *u)
{
    if (strcmp(u, "CNY") == 0 || strcmp(u, "shipments") == 0 || strcmp(u, "units") == 0 ||
        strncmp(u, "CNY ", 4) == 0)
        return 0;
    if (strcmp(u, "share") == 0)
        return 4;
    return 1;
}

/* ---- base64 (RFC 4648), for the embedded charts ---- */

static int put_base64_file(FILE *out, const char *path)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    unsigned char in[3 * 1024];
    size_t n;
    while ((n = fread(in, 1, sizeof in, f)) > 0) {
        /* only the last read of the file may stop short of a multiple of 3 */
        for (size_t i = 0; i < n; i += 3) {
            unsigned v = (unsigned)in[i] << 16;
            if (i + 1 < n)
                v |= (unsigned)in[i + 1] << 8;
            if (i + 2 < n)
                v |= in[i + 2];
            fputc(tab[(v >> 18) & 63], out);
            fputc(tab[(v >> 12) & 63], out);
            fputc(i + 1 < n ? tab[(v >> 6) & 63] : '=', out);
            fputc(i + 2 < n ? tab[v & 63] : '=', out);
        }
        if (n < sizeof in)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long)st.st_size : -1;
}

/* ---- the page ---- */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:'Noto Sans CJK SC','Noto Sans','DejaVu Sans',Verdana,Arial,sans-serif;"
    "color:#1d1d1d;max-width:1180px;margin:1.2em auto;padding:0 1em;line-height:1.45}"
    "h1{font-size:1.55em;margin:.2em 0}h2{margin-top:1.8em;border-bottom:2px solid #0072B2;"
    "padding-bottom:.2em;font-size:1.3em}h3{margin-top:1.4em;font-size:1.05em}"
    ".lede{font-size:1.05em;margin:.3em 0}.meta,.src,.note{color:#555;font-size:.88em}"
    ".before{color:#D55E00;font-weight:bold}.after{color:#0072B2;font-weight:bold}"
    ".headline{border:2px solid #0072B2;border-radius:6px;padding:.8em 1.2em;margin:1em 0;"
    "background:#f4f9fd}"
    ".kicker{font-size:1em;margin:0;color:#333}.big{font-size:2.6em;font-weight:bold;"
    "margin:.05em 0;color:#005a8c}.big small{font-size:.45em;font-weight:normal;color:#333}"
    ".cards{display:flex;flex-wrap:wrap;gap:.8em;margin:.8em 0}"
    ".card{flex:1 1 200px;border:1px solid #c9dbe8;border-radius:5px;padding:.5em .8em;"
    "background:#fff}.card b{display:block;font-size:1.35em;color:#005a8c}"
    ".card .t{font-size:.85em;color:#444}"
    ".warn{color:#8a3b00;font-weight:bold}"
    ".caveats{border-left:5px solid #E69F00;background:#fff8ec;padding:.6em 1.2em;margin:1em 0}"
    ".caveats h2{border:0;margin-top:.3em;font-size:1.1em}.caveats li{margin:.3em 0}"
    "table{border-collapse:collapse;margin:.8em 0;font-size:.88em;max-width:100%}"
    "th,td{border:1px solid #ccc;padding:.22em .45em;vertical-align:top}"
    "th{background:#f2f2f2;text-align:left}td.n{text-align:right;white-space:nowrap}"
    ".wide{overflow-x:auto;max-width:100%}"
    "td.above{color:#006b3c}td.below{color:#a00}"
    "figure{margin:1.6em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}"
    "figcaption{font-size:.88em;color:#333}"
    "details{margin:.4em 0}summary{cursor:pointer;font-weight:bold}"
    "pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:.8em;white-space:pre-wrap;"
    "word-break:break-all}"
    "code{word-break:break-all}nav p{line-height:1.8}"
    "@media print{nav,footer{display:none}body{max-width:none;margin:0;font-size:10.5pt}"
    ".headline,.caveats,figure,tr{break-inside:avoid}h2{break-after:avoid}"
    "details>*{display:block}a{color:inherit;text-decoration:none}}"
    "@page{size:A4;margin:14mm}";

static const char *summary_str(const struct report *r, const char *path1, const char *key)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(r->fo->summary, path1);
    return bf_json_str(o, key);
}

static double summary_num(const struct report *r, const char *path1, const char *key)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(r->fo->summary, path1);
    return bf_json_num(o, key);
}

static const char *policy_desc(const struct report *r, const char *policy)
{
    return summary_str(r, "policy_descriptions", policy);
}

static void head(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
            w->lang);
    esc(f, fo->scenario);
    esc(f, w->title_suffix);
    fputs("</title>\n<style>", f);
    fputs(css, f);
    fputs("</style>\n</head>\n<body>\n<header>\n<h1>", f);
    esc(f, fo->scenario);
    if (fo->has_compare) {
        fputs(": <span class=\"after\">", f);
        esc(f, fo->compared);
        fputs("</span>", f);
        esc(f, w->against);
        fputs("<span class=\"before\">", f);
        esc(f, fo->baseline);
        fputs("</span>", f);
    }
    fputs("</h1>\n", f);
    const char *desc = bf_json_str(fo->summary, "description");
    if (desc != NULL && desc[0]) {
        fputs("<p class=\"lede\">", f);
        esc(f, desc);
        fputs("</p>\n", f);
    }
    fprintf(f, "<p class=\"meta\">%u", fo->n_cities);
    esc(f, fo->n_cities == 1 ? w->meta_city : w->meta_cities);
    fprintf(f, ", %u", fo->replications);
    esc(f, w->meta_reps);
    const char *version = bf_json_str(fo->run, "borderflow_version");
    if (version != NULL) {
        fputs("; borderflow ", f);
        esc(f, version);
    }
    fputs(".</p>\n</header>\n<nav><p>", f);
    static const char *const ids[8] = {"headline",    "caveats", "charts", "cities",
                                       "assumptions", "details", "record", "reading"};
    for (int i = 0; i < 8; i++) {
        fprintf(f, "%s<a href=\"#%s\">", i ? " &middot; " : "", ids[i]);
        esc(f, w->nav[i]);
        fputs("</a>", f);
    }
    fputs("</p></nav>\n", f);
}

/* A card of the headline: card_open, the figure, card_note, its note,
 * card_end. */
static void card_open(struct report *r, const char *title)
{
    fputs("<div class=\"card\"><span class=\"t\">", r->f);
    esc(r->f, title);
    fputs("</span><b>", r->f);
}

static void card_note(struct report *r)
{
    fputs("</b><span class=\"note\">", r->f);
}

static void card_end(struct report *r, const char *source)
{
    fputs("</span>", r->f);
    src(r->f, source);
    fputs("</div>\n", r->f);
}

static const char *window_start(const struct report *r)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(r->fo->summary, "horizon");
    const cJSON *wnd = cJSON_GetObjectItemCaseSensitive(h, "window");
    const char *s = bf_json_str(wnd, "start");
    return s != NULL ? s : "?";
}

static const char *window_end(const struct report *r)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(r->fo->summary, "horizon");
    const cJSON *wnd = cJSON_GetObjectItemCaseSensitive(h, "window");
    const char *s = bf_json_str(wnd, "end");
    return s != NULL ? s : "?";
}

static double window_days(const struct report *r)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(r->fo->summary, "horizon");
    return bf_json_num(cJSON_GetObjectItemCaseSensitive(h, "window"), "days");
}

/* Writes text with its placeholders ("%u" or "%s", the only ones the
 * words tables hold) replaced by values[] in order; any other '%' is
 * text. No string of the tables ever reaches printf as a format. */
static void put_withn(struct report *r, const char *text, const char *const *values, int n)
{
    int k = 0;
    const char *p = text;
    for (const char *q = strchr(p, '%'); q != NULL; q = strchr(p, '%')) {
        const bool slot = q[1] == 'u' || q[1] == 's';
        char piece[512];
        size_t len = (size_t)(q - p) + (slot ? 0 : 1);
        if (len > sizeof piece - 1)
            len = sizeof piece - 1;
        memcpy(piece, p, len);
        piece[len] = '\0';
        esc(r->f, piece);
        if (slot) {
            esc(r->f, k < n ? values[k] : "");
            k++;
            p = q + 2;
        } else {
            p = q + 1;
        }
    }
    esc(r->f, p);
}

static void put_with(struct report *r, const char *text, const char *value)
{
    put_withn(r, text, &value, 1);
}

static void fmt_u(char *b, size_t size, double v)
{
    snprintf(b, size, "%.0f", isfinite(v) ? v : 0.0);
}

static void uncertainty_band(struct report *r);
static void th_row(FILE *f, const char *const *h, int n);
static void td_text(FILE *f, const char *s);

static void headline(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    fputs("<section id=\"headline\" class=\"headline\">\n", f);
    if (!fo->has_compare) {
        fputs("<p>", f);
        esc(f, w->h_single);
        fputs("</p>\n</section>\n", f);
        return;
    }
    const struct bf__total *rel = bf__folder_total(fo, "capital_released_cny", "change");
    const struct bf__total *share = bf__folder_total(fo, "capital_released_share", "change");
    const struct bf__total *wc = bf__folder_total(fo, "wc_avg_cny", "before");
    char b[64];
    fputs("<p class=\"kicker\">", f);
    esc(f, w->h_kicker);
    fputs(" ", f);
    esc(f, window_start(r));
    esc(f, w->to);
    esc(f, window_end(r));
    if (fo->n_cities == 1) {
        esc(f, w->h_one_city);
    } else {
        fmt_u(b, sizeof b, fo->n_cities);
        put_with(r, w->h_all_cities, b);
    }
    fputs("</p>\n<p class=\"big\" id=\"released\">", f);
    if (rel != NULL)
        put_money(r, rel->mean);
    else
        esc(f, w->na);
    fputs("</p>\n<p>", f);
    if (rel != NULL) {
        esc(f, w->h_ci);
        put_money_range(r, rel->lo, rel->hi);
        esc(f, w->h_paired);
        if (share != NULL && wc != NULL) {
            esc(f, w->h_of_wc);
            fputs(" <b>", f);
            put_pct(r, share->mean, 1);
            fputs("</b>", f);
            esc(f, w->h_of_wc_post);
            fputs(" (", f);
            put_money(r, wc->mean);
            fputs(")", f);
        }
        fputs(".", f);
        src(f, "totals.csv: capital_released_cny, capital_released_share, wc_avg_cny");
        if (rel->lo <= 0.0 && rel->hi >= 0.0) {
            fputs(" <span class=\"warn\">", f);
            esc(f, w->h_no_change);
            fputs("</span>", f);
        } else if (rel->hi < 0.0) {
            fputs(" <span class=\"warn\">", f);
            esc(f, w->h_ties_up);
            fputs("</span>", f);
        }
    }
    fputs("</p>\n<div class=\"cards\">\n", f);

    const struct bf__total *ann = bf__folder_total(fo, "financing_saving_annual_cny", "change");
    card_open(r, w->c_saving);
    if (ann != NULL) {
        put_money(r, ann->mean);
        esc(f, w->c_saving_at);
        put_pct(r, summary_num(r, "finance", "financing_rate"), 1);
    } else {
        esc(f, w->na);
    }
    card_note(r);
    esc(f, w->c_saving_note);
    card_end(r, "totals.csv: financing_saving_annual_cny");

    const struct bf__total *pm = bf__folder_total(fo, "capital_released_per_m", "change");
    card_open(r, w->c_per_m);
    put_num(r, pm != NULL ? pm->mean : (double)NAN, 0);
    esc(f, w->c_per_m_unit);
    card_note(r);
    if (pm != NULL) {
        esc(f, w->h_ci);
        put_num(r, pm->lo, 0);
        esc(f, w->to);
        put_num(r, pm->hi, 0);
        esc(f, w->c_per_m_unit);
    }
    card_end(r, "totals.csv: capital_released_per_m");

    const struct bf__total *up = bf__folder_total(fo, "cities_released_above_zero", "count");
    const struct bf__total *down = bf__folder_total(fo, "cities_released_below_zero", "count");
    card_open(r, w->c_cities);
    fmt_u(b, sizeof b, up != NULL ? up->mean : (double)NAN);
    fputs(b, f);
    esc(f, w->c_cities_of);
    fprintf(f, "%u", fo->n_cities);
    card_note(r);
    esc(f, w->c_cities_note);
    fmt_u(b, sizeof b, down != NULL ? down->mean : (double)NAN);
    fputs(b, f);
    card_end(r, "totals.csv: cities_released_above_zero, cities_released_below_zero");

    const struct bf__total *rb = bf__folder_total(fo, "days_to_rebate", "before");
    const struct bf__total *ra = bf__folder_total(fo, "days_to_rebate", "after");
    card_open(r, w->c_rebate);
    put_num(r, rb != NULL ? rb->mean : (double)NAN, 1);
    fputs(" \xe2\x86\x92 ", f);
    put_num(r, ra != NULL ? ra->mean : (double)NAN, 1);
    esc(f, w->days);
    card_note(r);
    esc(f, w->c_rebate_note);
    card_end(r, "totals.csv: days_to_rebate");
    fputs("</div>\n", f);

    /* the components */
    fputs("<h3>", f);
    esc(f, w->comp_title);
    fputs("</h3>\n<table id=\"components\">\n<tr>", f);
    for (int i = 0; i < 3; i++) {
        fputs("<th>", f);
        esc(f, w->comp_head[i]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    static const char *const comp[] = {"released_rebate_receivable_cny",
                                       "released_stock_abroad_cny", "released_returning_cny",
                                       "released_receivables_cny", "capital_released_cny"};
    for (int i = 0; i < 5; i++) {
        const struct bf__total *t = bf__folder_total(fo, comp[i], "change");
        fputs(i == 4 ? "<tr><th>" : "<tr><td>", f);
        esc(f, i < 4 ? w->comp_name[i] : w->comp_total);
        fputs(i == 4 ? "</th><td class=\"n\">" : "</td><td class=\"n\">", f);
        if (t != NULL)
            put_money(r, t->mean);
        fputs("</td><td class=\"n\">", f);
        if (t != NULL)
            put_money_range(r, t->lo, t->hi);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n<p class=\"note\">", f);
    esc(f, w->comp_note);
    src(f, "totals.csv: released_*_cny");
    fputs("</p>\n", f);

    /* best and worst city per million */
    if (fo->n_cities > 1) {
        const struct bf__rank *best = &fo->rank[0], *worst = &fo->rank[fo->n_cities - 1];
        fputs("<p>", f);
        esc(f, w->best);
        fputs("<b>", f);
        city_label(f, &fo->city[best->city]);
        fputs("</b> (", f);
        put_num(r, best->per_m, 0);
        esc(f, w->per_m_words);
        fputs("); ", f);
        esc(f, w->worst);
        fputs("<b>", f);
        city_label(f, &fo->city[worst->city]);
        fputs("</b> (", f);
        put_num(r, worst->per_m, 0);
        esc(f, w->per_m_words);
        fputs(").", f);
        src(f, "ranking.csv");
        fputs("</p>\n", f);
    }
    uncertainty_band(r);
    fputs("</section>\n", f);
}

/* uncertainty.csv's row of capital released for the study, and
 * sensitivity.csv's ranking of the unknowns by their effect on it: the
 * headline's band, when the run had a sensitivity design. */
static void uncertainty_band(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(fo->summary, "sensitivity");
    if (!cJSON_IsObject(sd))
        return;
    struct bf__csv u, s;
    static const char *const ucols[] = {"city", "metric", "p05", "p95", "noise_se", "samples"};
    static const char *const scols[] = {"city",  "metric",   "parameter", "index",
                                        "value", "ci95_low", "ci95_high"};
    int uc[6], sc[7];
    if (bf__csv_open(fo->dir, "uncertainty.csv", ucols, 6, uc, &u, NULL) != 0)
        return;
    if (bf__csv_open(fo->dir, "sensitivity.csv", scols, 7, sc, &s, NULL) != 0) {
        bf__csv_fini(&u);
        return;
    }
    const bool morris =
        strcmp(bf_json_str(sd, "method") ? bf_json_str(sd, "method") : "", "morris") == 0;
    const char *want_index = morris ? "mu_star" : "total_order";
    double p05 = (double)NAN, p95 = (double)NAN, noise = (double)NAN, samples = (double)NAN;
    for (size_t i = 0; i < u.n_rows; i++)
        if (strcmp(bf__csv_get(&u, i, uc[0]), "all") == 0 &&
            strcmp(bf__csv_get(&u, i, uc[1]), "capital_released_cny") == 0) {
            p05 = bf__csv_num(&u, i, uc[2]);
            p95 = bf__csv_num(&u, i, uc[3]);
            noise = bf__csv_num(&u, i, uc[4]);
            samples = bf__csv_num(&u, i, uc[5]);
        }
    /* the study's rows for capital released, largest effect first */
    size_t rows[BF_MAX_SENS_PARAMS_PLOT], n = 0;
    for (size_t i = 0; i < s.n_rows && n < BF_MAX_SENS_PARAMS_PLOT; i++)
        if (strcmp(bf__csv_get(&s, i, sc[0]), "all") == 0 &&
            strcmp(bf__csv_get(&s, i, sc[1]), "capital_released_cny") == 0 &&
            strcmp(bf__csv_get(&s, i, sc[3]), want_index) == 0)
            rows[n++] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            double a = bf__csv_num(&s, rows[j - 1], sc[4]), b = bf__csv_num(&s, rows[j], sc[4]);
            if (!(b > a || (isnan(a) && !isnan(b))))
                break;
            size_t t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(sd, "parameters");
    char k[32], ns[32];
    snprintf(k, sizeof k, "%d", cJSON_GetArraySize(params));
    snprintf(ns, sizeof ns, "%.0f", isfinite(samples) ? samples : 0.0);
    fputs("<h3>", f);
    esc(f, w->u_title);
    fputs("</h3>\n<p id=\"band\">", f);
    const char *vals[] = {k, w->u_method[morris ? 0 : 1], ns};
    put_withn(r, w->u_band, vals, 3);
    fputs("<b>", f);
    put_money_range(r, p05, p95);
    fputs("</b>", f);
    esc(f, w->u_pct);
    if (n > 0) {
        esc(f, w->u_spread);
        fputs("<b>", f);
        esc(f, bf__csv_get(&s, rows[0], sc[2]));
        fputs("</b>", f);
    }
    fputs(". ", f);
    esc(f, w->u_noise);
    put_money(r, noise);
    fputs(".", f);
    src(f, "uncertainty.csv, sensitivity.csv: city all, capital_released_cny");
    fputs("</p>\n<table id=\"unknowns\">\n", f);
    th_row(f, w->u_head, 5);
    for (size_t i = 0; i < n; i++) {
        const char *path = bf__csv_get(&s, rows[i], sc[2]);
        const cJSON *pp = NULL, *x;
        cJSON_ArrayForEach(
            x, params) if (strcmp(bf_json_str(x, "path") ? bf_json_str(x, "path") : "", path) == 0)
            pp = x;
        fputs("<tr><td><code>", f);
        esc(f, path);
        fputs("</code></td><td>", f);
        const cJSON *rg = cJSON_GetObjectItemCaseSensitive(pp, "range");
        if (cJSON_GetArraySize(rg) == 2) {
            char a[64], b[64];
            num(a, sizeof a, cJSON_GetArrayItem(rg, 0)->valuedouble, 3);
            num(b, sizeof b, cJSON_GetArrayItem(rg, 1)->valuedouble, 3);
            fprintf(f, "%s%s%s ", a, w->to, b);
            esc(f, bf_json_str(pp, "unit") ? bf_json_str(pp, "unit") : "");
        }
        fputs("</td><td class=\"n\">", f);
        const double v = bf__csv_num(&s, rows[i], sc[4]);
        if (morris)
            put_money(r, v);
        else
            put_num(r, v, 2);
        fputs("</td><td class=\"n\">", f);
        if (morris)
            put_money_range(r, bf__csv_num(&s, rows[i], sc[5]), bf__csv_num(&s, rows[i], sc[6]));
        else {
            put_num(r, bf__csv_num(&s, rows[i], sc[5]), 2);
            esc(f, w->to);
            put_num(r, bf__csv_num(&s, rows[i], sc[6]), 2);
        }
        fputs("</td>", f);
        td_text(f, bf_json_str(pp, "source"));
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p class=\"note\">", f);
    esc(f, w->u_index[morris ? 0 : 1]);
    fputs("</p>\n", f);
    bf__csv_fini(&u);
    bf__csv_fini(&s);
}

static size_t assumptions_count(const struct report *r)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->fo->summary, "assumptions");
    size_t n = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, a) n += (size_t)cJSON_GetArraySize(p);
    return n;
}

static void caveats(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    char b0[32], b1[32], b2[32];
    fputs("<section id=\"caveats\" class=\"caveats\">\n<h2>", f);
    esc(f, w->cv_title);
    fputs("</h2>\n<ul>\n<li>", f);
    fmt_u(b0, sizeof b0, window_days(r));
    fmt_u(b1, sizeof b1, summary_num(r, "horizon", "warmup_days"));
    const char *vals[] = {window_start(r), window_end(r), b0, b1};
    put_withn(r, w->cv_window, vals, 4);
    const cJSON *wc = cJSON_GetObjectItemCaseSensitive(fo->summary, "warmup_check");
    double found = bf_json_num(wc, "found_days");
    double warm = summary_num(r, "horizon", "warmup_days");
    if (isfinite(found)) {
        fmt_u(b2, sizeof b2, found);
        if (found > warm) {
            fputs("<span class=\"warn\">", f);
            put_with(r, w->cv_warmup_short, b2);
            fputs("</span>", f);
        } else {
            put_with(r, w->cv_warmup_ok, b2);
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(wc, "at_limit"))) {
            fputs("<span class=\"warn\">", f);
            esc(f, w->cv_warmup_limit);
            fputs("</span>", f);
        }
    }
    src(f, "summary.json: horizon, warmup_check");
    fputs("</li>\n", f);
    if (fo->has_compare) {
        fputs("<li>", f);
        esc(f, w->cv_policies);
        fputs("<span class=\"before\">", f);
        esc(f, fo->baseline);
        fputs("</span>", f);
        const char *d = policy_desc(r, fo->baseline);
        if (d != NULL && d[0]) {
            fputs(" \xe2\x80\x94 ", f);
            esc(f, d);
        }
        fputs(". <span class=\"after\">", f);
        esc(f, fo->compared);
        fputs("</span>", f);
        d = policy_desc(r, fo->compared);
        if (d != NULL && d[0]) {
            fputs(" \xe2\x80\x94 ", f);
            esc(f, d);
        }
        fputs(".", f);
        src(f, "summary.json: policy_descriptions");
        fputs("</li>\n", f);
    }
    size_t na = assumptions_count(r);
    fputs("<li>", f);
    if (na > 0) {
        fprintf(f, "<b>%zu</b>", na);
        esc(f, w->cv_assumed);
    } else {
        esc(f, w->cv_assumed_none);
    }
    src(f, "summary.json: assumptions");
    fputs("</li>\n", f);
    fputs("<li>", f);
    {
        char fr[32], dr[32];
        snprintf(fr, sizeof fr, "%.1f%%", 100.0 * summary_num(r, "finance", "financing_rate"));
        snprintf(dr, sizeof dr, "%.1f%%", 100.0 * summary_num(r, "finance", "discount_rate"));
        const char *v2[] = {fr, dr};
        put_withn(r, w->cv_rate, v2, 2);
    }
    src(f, "summary.json: finance");
    fputs("</li>\n", f);
    const char *proj = summary_str(r, "calendar", "projected_years");
    double lookups = summary_num(r, "calendar", "projected_lookups");
    if (proj != NULL && proj[0] && lookups > 0) {
        fputs("<li>", f);
        put_with(r, w->cv_calendar, proj);
        src(f, "summary.json: calendar; docs/calendar.md");
        fputs("</li>\n", f);
    }
    uint32_t cand = 0;
    for (uint32_t c = 0; c < fo->n_cities; c++)
        cand += strcmp(fo->city[c].candidate, "yes") == 0;
    if (cand > 0) {
        fprintf(f, "<li><b>%u</b>", cand);
        esc(f, w->cv_candidates);
        src(f, "cities.csv: candidate");
        fputs("</li>\n", f);
    }
    fputs("<li>", f);
    esc(f, w->cv_noise);
    fputs("</li>\n</ul>\n</section>\n", f);
}

/* ---- the charts ---- */

static void charts(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    const bool zh_words = w == &zh;
    fputs("<section id=\"charts\">\n<h2>", f);
    esc(f, w->s_charts);
    fputs("</h2>\n", f);
    char dir[1200];
    if (bf__path(dir, sizeof dir, fo->dir, "charts", NULL) != 0)
        dir[0] = '\0';
    int missing = 0, shown = 0;
    for (size_t i = 0; i < bf__charts_n; i++) {
        const struct bf__chart *ch = &bf__charts[i];
        char png[1400], gp[1400], file[128];
        snprintf(file, sizeof file, "%s.png", ch->name);
        if (bf__path(png, sizeof png, dir, file, NULL) != 0)
            continue;
        snprintf(file, sizeof file, "%s.gp", ch->name);
        if (bf__path(gp, sizeof gp, dir, file, NULL) != 0)
            continue;
        if (file_size(png) <= 0) {
            /* a script without its image: the chart was due but not drawn */
            missing += file_size(gp) > 0;
            continue;
        }
        const char *title = zh_words && ch->title_zh ? ch->title_zh : ch->title;
        const char *caption = zh_words && ch->caption_zh ? ch->caption_zh : ch->caption;
        fprintf(f, "<figure id=\"chart-%s\">\n<h3>", ch->name);
        esc(f, title);
        fputs("</h3>\n<img alt=\"", f);
        esc(f, title);
        fputs("\" src=\"data:image/png;base64,", f);
        if (put_base64_file(f, png) != 0)
            missing++;
        fputs("\">\n<figcaption>", f);
        esc(f, caption);
        const char *names[] = {ch->name, ch->name};
        put_withn(r, w->chart_source, names, 2);
        fputs("</figcaption>\n</figure>\n", f);
        shown++;
    }
    if (missing > 0 || (shown == 0 && fo->has_compare)) {
        fputs("<p class=\"note\">", f);
        esc(f, w->charts_missing);
        fputs("<code>borderflow plot ", f);
        esc(f, fo->dir);
        fputs("</code></p>\n", f);
    } else if (shown == 0) {
        fputs("<p class=\"note\">", f);
        esc(f, w->charts_one_policy);
        fputs("</p>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- the cities ---- */

static void td_num(struct report *r, double v, int dec)
{
    fputs("<td class=\"n\">", r->f);
    put_num(r, v, dec);
    fputs("</td>", r->f);
}

static void td_ci(struct report *r, double v, double lo, double hi, int dec)
{
    fputs("<td class=\"n\">", r->f);
    put_num(r, v, dec);
    fputs("<br><span class=\"note\">", r->f);
    put_num(r, lo, dec);
    esc(r->f, r->w->to);
    put_num(r, hi, dec);
    fputs("</span></td>", r->f);
}

static void city_table(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    fputs("<section id=\"cities\">\n<h2>", f);
    esc(f, w->s_cities);
    fputs("</h2>\n", f);
    if (!fo->has_compare) {
        fputs("<p class=\"note\">", f);
        esc(f, w->h_single);
        fputs("</p>\n</section>\n", f);
        return;
    }
    fputs("<p>", f);
    esc(f, w->s_cities_intro);
    fputs("</p>\n<div class=\"wide\"><table id=\"city-table\">\n<tr>", f);
    const char *heads[] = {w->t_rank,  w->t_city,     w->t_class,  w->t_from,
                           w->t_per_m, w->t_released, w->t_rebate, w->t_verdict};
    for (int i = 0; i < 8; i++) {
        fputs("<th>", f);
        esc(f, heads[i]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    const int d2r = bf_metric_find("days_to_rebate");
    for (uint32_t k = 0; k < fo->n_cities; k++) {
        const struct bf__rank *rk = &fo->rank[k];
        const struct bf__city *c = &fo->city[rk->city];
        fprintf(f, "<tr><td class=\"n\">%u</td><td>", k + 1);
        city_label(f, c);
        fputs("</td><td>", f);
        esc(f, c->cls);
        fputs("</td><td>", f);
        esc(f, c->effective_date);
        fputs("</td>", f);
        td_ci(r, rk->per_m, rk->per_m_lo, rk->per_m_hi, 0);
        td_ci(r, rk->released, rk->released_lo, rk->released_hi, 0);
        const struct bf__delta *d = bf__folder_delta(fo, rk->city, d2r);
        fputs("<td class=\"n\">", f);
        put_num(r, d->before, 1);
        fputs(" \xe2\x86\x92 ", f);
        put_num(r, d->after, 1);
        fputs("</td>", f);
        const bool above = strcmp(rk->interval, "above_zero") == 0;
        const bool below = strcmp(rk->interval, "below_zero") == 0;
        fprintf(f, "<td class=\"%s\">", above ? "above" : below ? "below" : "unclear");
        esc(f, above ? w->v_above : below ? w->v_below : w->v_unclear);
        fputs("</td></tr>\n", f);
    }
    fputs("</table></div>\n", f);
    src(f, "ranking.csv; delta.csv: days_to_rebate");
    fputs("\n</section>\n", f);
}

/* ---- assumptions and sources ---- */

static void th_row(FILE *f, const char *const *h, int n)
{
    fputs("<tr>", f);
    for (int i = 0; i < n; i++) {
        fputs("<th>", f);
        esc(f, h[i]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
}

static void td_text(FILE *f, const char *s)
{
    fputs("<td>", f);
    esc(f, s != NULL ? s : "");
    fputs("</td>", f);
}

static void assumptions(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    const cJSON *sum = fo->summary;
    fputs("<section id=\"assumptions\">\n<h2>", f);
    esc(f, w->s_assumptions);
    fputs("</h2>\n", f);
    const char *file = bf_json_str(sum, "scenario_file");
    const char *sha = bf_json_str(sum, "scenario_sha256");
    if (file != NULL) {
        fputs("<p>", f);
        esc(f, w->a_file);
        fputs("<code>", f);
        esc(f, file);
        fputs("</code>", f);
        if (sha != NULL) {
            fputs(" (SHA-256 <code>", f);
            esc(f, sha);
            fputs("</code>)", f);
        }
        fputs(".</p>\n", f);
    }
    /* parameters away from the defaults, per policy */
    fputs("<h3>", f);
    esc(f, w->a_changed);
    fputs("</h3>\n", f);
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(sum, "assumptions");
    if (assumptions_count(r) == 0) {
        fputs("<p>", f);
        esc(f, w->a_none);
        fputs("</p>\n", f);
    } else {
        fputs("<div class=\"wide\"><table id=\"assumption-table\">\n", f);
        th_row(f, w->a_head, 7);
        const cJSON *pol;
        cJSON_ArrayForEach(pol, as)
        {
            const cJSON *a;
            cJSON_ArrayForEach(a, pol)
            {
                fputs("<tr>", f);
                td_text(f, pol->string);
                fputs("<td><code>", f);
                esc(f, bf_json_str(a, "parameter") ? bf_json_str(a, "parameter") : "");
                fputs("</code></td>", f);
                td_text(f, bf_json_str(a, "value"));
                td_text(f, bf_json_str(a, "default"));
                td_text(f, bf_json_str(a, "unit"));
                td_text(f, bf_json_str(a, "source"));
                td_num(r, bf_json_num(a, "cities"), 0);
                fputs("</tr>\n", f);
            }
        }
        fputs("</table></div>\n", f);
        src(f, "summary.json: assumptions; sources in docs/sources.md");
        fputs("\n", f);
    }
    const cJSON *notes = cJSON_GetObjectItemCaseSensitive(sum, "notes");
    if (cJSON_GetArraySize(notes) > 0) {
        fputs("<h3>", f);
        esc(f, w->a_notes);
        fputs("</h3>\n<ul>\n", f);
        const cJSON *n;
        cJSON_ArrayForEach(n, notes) if (cJSON_IsString(n))
        {
            fputs("<li>", f);
            esc(f, n->valuestring);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    fputs("<h3>", f);
    esc(f, w->a_policies);
    fputs("</h3>\n<table>\n", f);
    th_row(f, w->a_policy_head, 3);
    const cJSON *pols = cJSON_GetObjectItemCaseSensitive(sum, "policies");
    const cJSON *p;
    cJSON_ArrayForEach(p, pols) if (cJSON_IsString(p))
    {
        fputs("<tr>", f);
        td_text(f, p->valuestring);
        int slot = bf__folder_slot(fo, p->valuestring);
        td_text(f, slot == 0 ? w->a_baseline : slot == 1 ? w->a_compared : "");
        td_text(f, policy_desc(r, p->valuestring));
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<h3>", f);
    esc(f, w->a_horizon);
    fputs("</h3>\n<table>\n", f);
    fputs("<tr><th>", f);
    esc(f, w->a_fin_rate);
    fputs("</th><td>", f);
    put_pct(r, summary_num(r, "finance", "financing_rate"), 2);
    esc(f, w->per_year);
    fputs("</td></tr>\n<tr><th>", f);
    esc(f, w->a_disc_rate);
    fputs("</th><td>", f);
    put_pct(r, summary_num(r, "finance", "discount_rate"), 2);
    esc(f, w->per_year);
    fputs("</td></tr>\n<tr><th>", f);
    esc(f, w->a_rule);
    fputs("</th><td>", f);
    esc(f, bf_json_str(sum, "rule") ? bf_json_str(sum, "rule") : "");
    fputs("</td></tr>\n<tr><th>", f);
    esc(f, w->a_holidays);
    fputs("</th><td>", f);
    const char *years = summary_str(r, "calendar", "years");
    esc(f, years ? years : "");
    fputs("</td></tr>\n<tr><th>", f);
    esc(f, w->a_projected);
    fputs("</th><td>", f);
    const char *proj = summary_str(r, "calendar", "projected_years");
    esc(f, proj ? proj : "");
    fputs("</td></tr>\n<tr><th>", f);
    esc(f, w->a_seed);
    fprintf(f, "</th><td>%u; %.0f</td></tr>\n</table>\n", fo->replications,
            bf_json_num(sum, "seed"));
    src(f, "summary.json");
    const cJSON *sweeps = cJSON_GetObjectItemCaseSensitive(sum, "sweep_definitions");
    if (cJSON_GetArraySize(sweeps) > 0) {
        fputs("\n<h3>", f);
        esc(f, w->a_sweeps);
        fputs("</h3>\n<div class=\"wide\"><table>\n", f);
        th_row(f, w->a_sweep_head, 4);
        const cJSON *sw;
        cJSON_ArrayForEach(sw, sweeps)
        {
            fputs("<tr>", f);
            td_text(f, bf_json_str(sw, "name"));
            fputs("<td><code>", f);
            esc(f, bf_json_str(sw, "parameter") ? bf_json_str(sw, "parameter") : "");
            fputs("</code></td>", f);
            td_text(f, bf_json_str(sw, "policy"));
            fputs("<td>", f);
            const cJSON *v;
            int k = 0;
            cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(sw, "values"))
            {
                if (!cJSON_IsString(v))
                    continue;
                fputs(k++ ? "; " : "", f);
                fputs("<code>", f);
                esc(f, v->valuestring);
                fputs("</code>", f);
            }
            fputs("</td></tr>\n", f);
        }
        fputs("</table></div>\n", f);
        src(f, "summary.json: sweep_definitions; results in sweep.csv, sweep_totals.csv");
    }
    /* the cities */
    fputs("\n<h3>", f);
    esc(f, w->a_cities);
    fputs("</h3>\n<p class=\"note\">", f);
    esc(f, w->a_candidate_note);
    fputs("</p>\n<div class=\"wide\"><table>\n", f);
    th_row(f, w->a_city_head, 7);
    for (uint32_t c = 0; c < fo->n_cities; c++) {
        const struct bf__city *ci = &fo->city[c];
        fputs("<tr><td>", f);
        city_label(f, ci);
        fputs("</td>", f);
        td_text(f, ci->province);
        td_text(f, ci->cls);
        td_text(f, strcmp(ci->candidate, "yes") == 0 ? w->yes : "");
        td_text(f, ci->effective_date);
        td_num(r, ci->shipments_per_day, 1);
        td_text(f, ci->note);
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
    src(f, "cities.csv");
    fputs("\n<p>", f);
    esc(f, w->a_params);
    fputs("</p>\n</section>\n", f);
}

/* ---- every metric of every city ---- */

static void details(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct words *w = r->w;
    fputs("<section id=\"details\">\n<h2>", f);
    esc(f, w->s_details);
    fputs("</h2>\n<p>", f);
    esc(f, w->d_intro);
    fputs("</p>\n", f);
    for (uint32_t k = 0; k < fo->n_cities; k++) {
        uint32_t c = fo->rank[k].city;
        const struct bf__city *ci = &fo->city[c];
        fputs("<details>\n<summary>", f);
        city_label(f, ci);
        fputs("</summary>\n<div class=\"wide\"><table>\n", f);
        th_row(f, w->d_head, fo->has_compare ? 5 : 3);
        for (int m = 0; m < BF_METRIC_COUNT; m++) {
            const char *unit = bf_metric_unit((enum bf_metric)m);
            const int dec = unit_decimals(unit);
            fputs("<tr><td>", f);
            esc(f, bf_metric_name((enum bf_metric)m));
            fputs("<br><span class=\"note\">", f);
            esc(f, bf_metric_desc((enum bf_metric)m));
            fputs("</span></td>", f);
            td_text(f, unit);
            for (int s = 0; s < (fo->has_compare ? 2 : 1); s++) {
                const struct bf__sum *v = bf__folder_sum(fo, c, s, m);
                td_ci(r, v->mean, v->lo, v->hi, dec);
            }
            if (fo->has_compare) {
                const struct bf__delta *d = bf__folder_delta(fo, c, m);
                td_ci(r, d->delta, d->lo, d->hi, dec);
            }
            fputs("</tr>\n", f);
        }
        fputs("</table></div>\n", f);
        src(f, "summary.csv, delta.csv");
        fputs("\n</details>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- the run record ---- */

static void record(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    fputs("<section id=\"record\">\n<h2>", f);
    esc(f, r->w->s_record);
    fputs("</h2>\n", f);
    if (fo->run == NULL || fo->run_text == NULL) {
        fputs("<p class=\"note\">", f);
        esc(f, r->w->r_none);
        fputs("</p>\n</section>\n", f);
        return;
    }
    fputs("<table>\n", f);
    static const char *const keys[] = {
        "borderflow_version", "scenario_file", "scenario_sha256", "started",
        "finished",           "plots",         "calendar_years"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = bf_json_str(fo->run, keys[i]);
        if (v == NULL)
            continue;
        fprintf(f, "<tr><th>%s</th><td>", keys[i]);
        esc(f, v);
        fputs("</td></tr>\n", f);
    }
    static const char *const nums[] = {"seed", "replications", "cities",
                                       "jobs", "work_items",   "events"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(fo->run, nums[i]);
        if (!cJSON_IsNumber(v))
            continue;
        char b[64];
        if (i == 0) /* an identifier, not a quantity: no grouping */
            snprintf(b, sizeof b, "%.0f", v->valuedouble);
        else
            num(b, sizeof b, v->valuedouble, 0);
        fprintf(f, "<tr><th>%s</th><td>%s</td></tr>\n", nums[i], b);
    }
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(fo->run, "warnings");
    if (cJSON_GetArraySize(w) > 0) {
        fputs("<tr><th>warnings</th><td><ul>", f);
        const cJSON *x;
        cJSON_ArrayForEach(x, w) if (cJSON_IsString(x))
        {
            fputs("<li>", f);
            esc(f, x->valuestring);
            fputs("</li>", f);
        }
        fputs("</ul></td></tr>\n", f);
    }
    fputs("</table>\n<details>\n<summary>", f);
    esc(f, r->w->r_as_written);
    fputs("</summary>\n<pre>", f);
    esc(f, fo->run_text);
    fputs("</pre>\n</details>\n</section>\n", f);
}

static void reading(struct report *r)
{
    FILE *f = r->f;
    fputs("<section id=\"reading\">\n<h2>", f);
    esc(f, r->w->s_reading);
    fputs("</h2>\n<ul>\n", f);
    for (int i = 0; i < 5; i++) {
        fputs("<li>", f);
        esc(f, r->w->reading[i]);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n</section>\n", f);
}

int bf_report_write(const char *dir, const struct bf_report_options *opt, struct bf_diag *diag)
{
    bf_diag_clear(diag);
    const char *lang = opt != NULL && opt->lang != NULL ? opt->lang : "en";
    if (strcmp(lang, "en") != 0 && strcmp(lang, "zh") != 0) {
        bf_diag_set(diag, "report language '%s': allowed are en and zh", lang);
        return BF_EINVAL;
    }
    char path[BF_PATH_MAX], tmp[BF_PATH_MAX];
    int rc = bf_dir_check(dir, diag);
    if (rc == 0)
        rc = bf_path_join(path, sizeof path, dir, "report.html", diag);
    if (rc != 0)
        return rc;
    /* a report of an earlier run must not outlive a failure to write this one */
    if (remove(path) != 0 && errno != ENOENT) {
        bf_diag_set(diag, "cannot remove the old '%s': %s", path, strerror(errno));
        return BF_EIO;
    }
    struct bf__folder fo;
    if ((rc = bf__folder_load(dir, &fo, diag)) != 0)
        return rc;
    struct report r = {.fo = &fo, .w = strcmp(lang, "zh") == 0 ? &zh : &en};
    /* a new file of a random name, renamed over report.html: never written
     * through a link planted in the folder (fs.h) */
    r.f = bf_temp_create(dir, "report.html", tmp, sizeof tmp, &rc, diag);
    if (r.f == NULL)
        goto out;
    head(&r);
    headline(&r);
    caveats(&r);
    charts(&r);
    city_table(&r);
    assumptions(&r);
    details(&r);
    record(&r);
    reading(&r);
    fputs("<footer><p class=\"meta\">", r.f);
    esc(r.f, r.w->footer);
    fputs(" <code>", r.f);
    esc(r.f, dir);
    fputs("</code></p></footer>\n</body>\n</html>\n", r.f);
    rc = bf_temp_commit(r.f, tmp, dir, "report.html", !r.nomem, diag);
    if (r.nomem)
        rc = BF_ENOMEM;
out:
    if (rc == BF_ENOMEM && diag != NULL && diag->msg[0] == '\0')
        bf_diag_set(diag, "out of memory while writing the report");
    bf__folder_fini(&fo);
    return rc;
}
