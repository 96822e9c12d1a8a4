/*
 * config.c — the table of every configuration key, and the INI parsing,
 * overriding, checking and printing that all follow from it.
 *
 * Values are parsed strictly: "12abc" is not an integer, "nan" is not a
 * number, and ranges are inclusive. Cross-key rules (what the data can
 * supply, e.g. enough normal beats) are checked where the data is read.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"

typedef enum { K_INT, K_I64, K_DBL, K_STR, K_PATH, K_LIST } key_type_t;

typedef struct {
    const char *section, *name;
    key_type_t type;
    size_t offset;
    double min, max;       /* numbers; list elements */
    const char *choices;   /* K_STR: "a|b|c", or NULL for free text */
    const char *dflt;
    const char *doc;
} cfg_key_t;

#define OFF(f) offsetof(config_t, f)
#define BIG 1e15

static const cfg_key_t keys[] = {
    {"data", "path", K_PATH, OFF(data_path), 0, 0, NULL, "",
     "input file, or a comma-separated list read in order (required "
     "unless format = synth)"},
    {"data", "format", K_STR, OFF(data_format), 0, 0,
     "auto|ucr|csv|h5|synth", "auto",
     "auto: by extension (.csv, .h5/.hdf5, else UCR text)"},
    {"data", "label_column", K_INT, OFF(data_label_column), -1, 100000, NULL,
     "-1", "csv: column holding the label, from 0 (-1: the last)"},
    {"data", "normal_label", K_DBL, OFF(data_normal_label), -BIG, BIG, NULL,
     "1", "label value of a normal beat; any other label is anomalous"},
    {"data", "header", K_INT, OFF(data_header), 0, 1000, NULL, "0",
     "text and csv: header lines to skip at the top of each file"},
    {"data", "synth_normal", K_I64, OFF(data_synth_normal), 1, 1e9, NULL,
     "3000", "synth: normal beats generated"},
    {"data", "synth_anomalous", K_I64, OFF(data_synth_anomalous), 0, 1e9,
     NULL, "800", "synth: anomalous beats generated (kinds in turn)"},
    {"data", "synth_length", K_INT, OFF(data_synth_length), 8, 100000, NULL,
     "140", "synth: samples per beat"},
    {"data", "synth_noise", K_DBL, OFF(data_synth_noise), 0, 10, NULL,
     "0.06", "synth: measurement noise relative to the R wave"},
    {"data", "synth_seed", K_I64, OFF(data_synth_seed), 0, 9e18, NULL, "7",
     "synth: seed of the generated beats"},

    {"partition", "members", K_INT, OFF(members), 1, 4096, NULL, "9",
     "ensemble members, one shard and one array task each"},
    {"partition", "scheme", K_STR, OFF(scheme), 0, 0, "even|dirichlet|sites",
     "even", "even: equal shards; dirichlet: skewed sizes; sites: one "
     "input file per member"},
    {"partition", "dirichlet_alpha", K_DBL, OFF(dirichlet_alpha), 1e-3, 1e6,
     NULL, "1.0", "dirichlet: concentration (small: very uneven shards)"},
    {"partition", "test_normal", K_I64, OFF(test_normal), 0, 1e12, NULL,
     "500", "normal beats held out for the test set"},
    {"partition", "test_anomalous", K_I64, OFF(test_anomalous), 0, 1e12,
     NULL, "500", "anomalous beats drawn at random for the test set"},
    {"partition", "val_normal", K_I64, OFF(val_normal), 0, 1e12, NULL, "0",
     "normal beats held out for threshold calibration"},
    {"partition", "val_anomalous", K_I64, OFF(val_anomalous), 0, 1e12, NULL,
     "0", "anomalous beats held out for threshold calibration"},
    {"partition", "seed", K_I64, OFF(partition_seed), 0, 9e18, NULL, "42",
     "seed of the split and the shuffle"},

    {"model", "encoder", K_LIST, OFF(encoder), 1, 65536, NULL, "32,16,10",
     "encoder widths after the input; the decoder mirrors them"},

    {"train", "epochs", K_INT, OFF(epochs), 1, 1000000, NULL, "100",
     "passes over the shard"},
    {"train", "batch", K_INT, OFF(batch), 1, 1000000, NULL, "32",
     "beats per Adam step"},
    {"train", "lr", K_DBL, OFF(lr), 1e-12, 10, NULL, "0.01",
     "Adam learning rate"},
    {"train", "beta1", K_DBL, OFF(beta1), 0, 0.999999, NULL, "0.9",
     "Adam first-moment decay"},
    {"train", "beta2", K_DBL, OFF(beta2), 0, 0.999999999, NULL, "0.999",
     "Adam second-moment decay"},
    {"train", "eps", K_DBL, OFF(eps), 1e-30, 1, NULL, "1e-08",
     "Adam epsilon"},
    {"train", "seed", K_I64, OFF(train_seed), 0, 9e18, NULL, "42",
     "member K draws its weights and shuffles from seed + K"},
    {"train", "checkpoint_every", K_INT, OFF(checkpoint_every), 0, 1000000,
     NULL, "10", "epochs between checkpoints (0: none)"},

    {"ensemble", "rule", K_STR, OFF(rule), 0, 0,
     "mean|median|max|trimmed_mean|weighted_mean", "mean",
     "how member scores combine (weighted_mean: by shard size)"},
    {"ensemble", "trim", K_DBL, OFF(trim), 0, 0.49, NULL, "0.1",
     "trimmed_mean: fraction dropped at each end"},
    {"ensemble", "threshold", K_STR, OFF(threshold), 0, 0,
     "alpha|val_fpr|val_f1", "alpha",
     "alpha: flag score > 1 - alpha; val_fpr / val_f1: calibrated on the "
     "validation split"},
    {"ensemble", "alpha", K_DBL, OFF(alpha), 0, 1, NULL, "0.05",
     "alpha rule: flag when the ensemble score exceeds 1 - alpha"},
    {"ensemble", "target_fpr", K_DBL, OFF(target_fpr), 0, 1, NULL, "0.05",
     "val_fpr rule: false-positive rate allowed on validation normals"},
    {"ensemble", "min_members", K_INT, OFF(min_members), 0, 4096, NULL, "0",
     "members that must exist to aggregate (0: all)"},

    {"evaluate", "chunk", K_INT, OFF(eval_chunk), 1, 100000000, NULL,
     "4096", "test beats scored per chunk (one progress line each)"},
    {"evaluate", "figures", K_INT, OFF(figures), 0, 1, NULL, "1",
     "1: draw PNG figures with gnuplot"},

    {"slurm", "partition", K_STR, OFF(slurm_partition), 0, 0, NULL, "",
     "sbatch --partition for every job (empty: cluster default)"},
    {"slurm", "account", K_STR, OFF(slurm_account), 0, 0, NULL, "",
     "sbatch --account"},
    {"slurm", "qos", K_STR, OFF(slurm_qos), 0, 0, NULL, "", "sbatch --qos"},
    {"slurm", "extra_args", K_STR, OFF(slurm_extra_args), 0, 0, NULL, "",
     "appended to every sbatch line"},
    {"slurm", "array_limit", K_INT, OFF(slurm_array_limit), 0, 100000, NULL,
     "0", "members trained at once (%N; 0: no limit)"},
    {"slurm", "partition_time", K_STR, OFF(slurm_partition_time), 0, 0, NULL,
     "00:30:00", "partition job: time limit"},
    {"slurm", "partition_ntasks", K_INT, OFF(slurm_partition_ntasks), 1,
     100000, NULL, "1", "partition job: MPI ranks"},
    {"slurm", "partition_cpus", K_INT, OFF(slurm_partition_cpus), 1, 1024,
     NULL, "1", "partition job: cpus per task"},
    {"slurm", "partition_mem", K_STR, OFF(slurm_partition_mem), 0, 0, NULL,
     "2G", "partition job: memory"},
    {"slurm", "train_time", K_STR, OFF(slurm_train_time), 0, 0, NULL,
     "02:00:00", "train-member tasks: time limit"},
    {"slurm", "train_cpus", K_INT, OFF(slurm_train_cpus), 1, 1024, NULL, "1",
     "train-member tasks: cpus (BLAS threads)"},
    {"slurm", "train_mem", K_STR, OFF(slurm_train_mem), 0, 0, NULL, "2G",
     "train-member tasks: memory"},
    {"slurm", "aggregate_time", K_STR, OFF(slurm_aggregate_time), 0, 0, NULL,
     "00:30:00", "aggregate-threshold job: time limit"},
    {"slurm", "aggregate_cpus", K_INT, OFF(slurm_aggregate_cpus), 1, 1024,
     NULL, "1", "aggregate-threshold job: cpus"},
    {"slurm", "aggregate_mem", K_STR, OFF(slurm_aggregate_mem), 0, 0, NULL,
     "2G", "aggregate-threshold job: memory"},
    {"slurm", "evaluate_time", K_STR, OFF(slurm_evaluate_time), 0, 0, NULL,
     "00:30:00", "evaluate job: time limit"},
    {"slurm", "evaluate_ntasks", K_INT, OFF(slurm_evaluate_ntasks), 1,
     100000, NULL, "1", "evaluate job: MPI ranks"},
    {"slurm", "evaluate_cpus", K_INT, OFF(slurm_evaluate_cpus), 1, 1024,
     NULL, "1", "evaluate job: cpus per task"},
    {"slurm", "evaluate_mem", K_STR, OFF(slurm_evaluate_mem), 0, 0, NULL,
     "2G", "evaluate job: memory"},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

static const cfg_key_t *key_find(const char *section, const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
            return &keys[i];
    return NULL;
}

static int section_known(const char *section)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].section, section))
            return 1;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*out))
        return -1;
    return 0;
}

static int parse_long(const char *s, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return -1;
    return 0;
}

static int choice_ok(const char *choices, const char *v)
{
    size_t n = strlen(v);
    const char *p = choices;
    while (p && *p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, v, n))
            return 1;
        p = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* Stores value into the field of key k; -1 with a message naming the key
 * (the caller adds where it came from). */
static int key_store(config_t *cfg, const cfg_key_t *k, const char *value)
{
    char *field = (char *)cfg + k->offset;
    double d;
    long long ll;

    switch (k->type) {
    case K_INT:
    case K_I64:
        if (parse_long(value, &ll))
            return err_set("%s.%s = '%s' is not an integer", k->section,
                           k->name, value);
        if ((double)ll < k->min || (double)ll > k->max)
            return err_set("%s.%s = %s is out of range [%.0f, %.0f]",
                           k->section, k->name, value, k->min, k->max);
        if (k->type == K_INT)
            *(int *)field = (int)ll;
        else
            *(int64_t *)field = (int64_t)ll;
        return 0;
    case K_DBL:
        if (parse_double(value, &d))
            return err_set("%s.%s = '%s' is not a finite number", k->section,
                           k->name, value);
        if (d < k->min || d > k->max)
            return err_set("%s.%s = %s is out of range [%g, %g]", k->section,
                           k->name, value, k->min, k->max);
        *(double *)field = d;
        return 0;
    case K_STR:
    case K_PATH: {
        size_t cap = k->type == K_STR ? CFG_STR : CFG_PATH;
        if (k->choices && !choice_ok(k->choices, value))
            return err_set("%s.%s = '%s' is not one of %s", k->section,
                           k->name, value, k->choices);
        if (strlen(value) >= cap)
            return err_set("%s.%s is longer than %zu characters", k->section,
                           k->name, cap - 1);
        strcpy(field, value);
        return 0;
    }
    case K_LIST: {
        int *list = (int *)field, n = 0;
        char buf[CFG_STR], *save = NULL, *tok;
        if (strlen(value) >= sizeof buf)
            return err_set("%s.%s is too long", k->section, k->name);
        strcpy(buf, value);
        if (strstr(value, ",,") || value[0] == ',' ||
            (*value && value[strlen(value) - 1] == ','))
            return err_set("%s.%s = '%s' has an empty layer width",
                           k->section, k->name, value);
        for (tok = strtok_r(buf, ", \t", &save); tok;
             tok = strtok_r(NULL, ", \t", &save)) {
            if (n == CFG_MAX_ENC)
                return err_set("%s.%s has more than %d layers", k->section,
                               k->name, CFG_MAX_ENC);
            if (parse_long(tok, &ll) || ll < k->min || ll > k->max)
                return err_set("%s.%s: '%s' is not a layer width in "
                               "[%.0f, %.0f]", k->section, k->name, tok,
                               k->min, k->max);
            list[n++] = (int)ll;
        }
        if (n == 0)
            return err_set("%s.%s needs at least one layer width",
                           k->section, k->name);
        cfg->n_encoder = n;
        return 0;
    }
    }
    return err_set("internal: key type");
}

void config_defaults(config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_KEYS; i++)
        if (key_store(cfg, &keys[i], keys[i].dflt) != 0)
            die("internal: default of %s.%s: %s", keys[i].section,
                keys[i].name, err_msg());
}

typedef struct {
    config_t *cfg;
    FILE *file;
    int line;        /* lines read so far: the line being handled */
    int failed_line; /* line of the first key error, 0 if none */
    int too_long;    /* line longer than inih reads, 0 if none */
    int seen[sizeof keys / sizeof keys[0]]; /* line each key was set on */
    char msg[ERR_MSG_MAX];
} load_ctx_t;

/* fgets for inih that counts lines, so a key error knows its line. */
static char *config_read_line(char *buf, int size, void *user)
{
    load_ctx_t *ctx = user;
    char *got = fgets(buf, size, ctx->file);
    size_t len;

    if (!got)
        return NULL;
    ctx->line++;
    len = strlen(buf);
    if (len == (size_t)size - 1 && buf[len - 1] != '\n' && !feof(ctx->file)) {
        /* inih's line buffer is fixed at build time (INI_MAX_LINE). */
        ctx->too_long = ctx->line;
        return NULL;
    }
    return got;
}

static int config_on_key(void *user, const char *section, const char *name,
                       const char *value)
{
    load_ctx_t *ctx = user;
    const cfg_key_t *k;

    if (ctx->failed_line)
        return 1; /* keep the first error only */
    if (!section_known(section))
        err_set("unknown section [%s] (key '%s')", section, name);
    else if (!(k = key_find(section, name)))
        err_set("unknown key '%s' in [%s]", name, section);
    else if (ctx->seen[k - keys])
        err_set("%s.%s is set twice (first on line %d)", section, name,
                ctx->seen[k - keys]);
    else if (key_store(ctx->cfg, k, value) == 0) {
        ctx->seen[k - keys] = ctx->line;
        return 1;
    }
    ctx->failed_line = ctx->line;
    snprintf(ctx->msg, sizeof ctx->msg, "%s", err_msg());
    return 0;
}

int config_load(config_t *cfg, const char *path)
{
    load_ctx_t ctx = {.cfg = cfg};
    struct stat st;
    int line;

    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return err_set("%s: not a config file (a folder?)", path);
    if (!(ctx.file = fopen(path, "r")))
        return err_set("%s: cannot open config: %s", path, strerror(errno));
    line = ini_parse_stream(config_read_line, &ctx, config_on_key, &ctx);
    fclose(ctx.file);
    if (ctx.too_long)
        return err_set("%s:%d: line longer than %d characters, the most "
                       "an INI line may have here; give a long value with "
                       "--set instead", path, ctx.too_long, INI_MAX_LINE - 2);
    /* inih returns the first bad line of any kind: a key error, or a
     * line that is not INI at all, whichever came first. */
    if (line > 0 && line == ctx.failed_line)
        return err_set("%s:%d: %s", path, line, ctx.msg);
    if (line != 0)
        return err_set("%s:%d: not an INI line (expected [section] or "
                       "key = value)", path, line);
    snprintf(cfg->source, sizeof cfg->source, "%s", path);
    return 0;
}

int config_set(config_t *cfg, const char *assignment)
{
    char section[CFG_STR], name[CFG_STR];
    const char *dot = strchr(assignment, '.');
    const char *eq = strchr(assignment, '=');
    const cfg_key_t *k;

    if (!dot || !eq || dot > eq || (size_t)(dot - assignment) >= CFG_STR ||
        (size_t)(eq - dot) >= CFG_STR)
        return err_set("--set %s: expected section.key=value", assignment);
    snprintf(section, sizeof section, "%.*s", (int)(dot - assignment),
             assignment);
    snprintf(name, sizeof name, "%.*s", (int)(eq - dot - 1), dot + 1);
    if (!(k = key_find(section, name)))
        return err_set("--set %s: unknown key '%s.%s'", assignment, section,
                       name);
    if (key_store(cfg, k, eq + 1) != 0)
        return err_prefix("--set %s: ", assignment);
    return 0;
}

int config_check(const config_t *cfg)
{
    const char *where = cfg->source[0] ? cfg->source : "configuration";

    if (strcmp(cfg->data_format, "synth") != 0 && cfg->data_path[0] == '\0')
        return err_set("%s: missing required key data.path (or set "
                       "data.format = synth)", where);
    if (cfg->min_members > cfg->members)
        return err_set("%s: ensemble.min_members = %d exceeds "
                       "partition.members = %d", where, cfg->min_members,
                       cfg->members);
    if (!strcmp(cfg->threshold, "val_fpr") && cfg->val_normal == 0)
        return err_set("%s: ensemble.threshold = val_fpr needs "
                       "partition.val_normal > 0", where);
    if (!strcmp(cfg->threshold, "val_f1") &&
        (cfg->val_normal == 0 || cfg->val_anomalous == 0))
        return err_set("%s: ensemble.threshold = val_f1 needs "
                       "partition.val_normal and val_anomalous > 0", where);
    return 0;
}

static void key_print(FILE *f, const config_t *cfg, const cfg_key_t *k)
{
    const char *field = (const char *)cfg + k->offset;

    fprintf(f, "%s = ", k->name);
    switch (k->type) {
    case K_INT:
        fprintf(f, "%d", *(const int *)field);
        break;
    case K_I64:
        fprintf(f, "%lld", (long long)*(const int64_t *)field);
        break;
    case K_DBL:
        fprintf(f, "%.15g", *(const double *)field);
        break;
    case K_STR:
    case K_PATH:
        fputs(field, f);
        break;
    case K_LIST:
        for (int i = 0; i < cfg->n_encoder; i++)
            fprintf(f, "%s%d", i ? "," : "", ((const int *)field)[i]);
        break;
    }
    fputc('\n', f);
}

/* "; doc" wrapped near 78 columns, then the choices and the default. */
static void doc_print(FILE *f, const cfg_key_t *k)
{
    char text[1024];
    const char *p = text;

    snprintf(text, sizeof text, "%s%s%s; default: %s", k->doc,
             k->choices ? "; one of " : "", k->choices ? k->choices : "",
             k->dflt[0] ? k->dflt : "(empty)");
    while (*p) {
        int len = (int)strlen(p), cut = len;
        if (len > 76) {
            for (cut = 76; cut > 0 && p[cut] != ' '; cut--)
                ;
            if (cut == 0)
                cut = 76;
        }
        fprintf(f, "; %.*s\n", cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

char *config_format(const config_t *cfg, int with_docs)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    const char *section = "";

    if (!f)
        die("out of memory formatting the configuration");
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(section, keys[i].section)) {
            section = keys[i].section;
            fprintf(f, "%s[%s]\n", i ? "\n" : "", section);
        }
        if (with_docs)
            doc_print(f, &keys[i]);
        key_print(f, cfg, &keys[i]);
    }
    fclose(f);
    return text;
}

void config_text_get(const char *text, const char *section, const char *key,
                      char *buf, size_t size)
{
    char head[64], want[64];
    const char *p = text, *in;
    size_t klen;

    snprintf(head, sizeof head, "[%s]\n", section);
    snprintf(want, sizeof want, "%s = ", key);
    klen = strlen(want);
    buf[0] = '\0';
    if (!(in = strstr(p, head)))
        return;
    for (p = in + strlen(head); *p && *p != '['; p = strchr(p, '\n') + 1) {
        if (!strncmp(p, want, klen)) {
            size_t n = strcspn(p + klen, "\n");
            snprintf(buf, size, "%.*s", (int)n, p + klen);
            return;
        }
        if (!strchr(p, '\n'))
            return;
    }
}
