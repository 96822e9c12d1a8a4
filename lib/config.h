/*
 * config.h — one experiment's settings: the INI file, `--set` overrides,
 * validation, and the effective text recorded in every output file.
 *
 * Every key is declared once in config.c's table with its type, range,
 * default and a one-line doc; parsing, checking, printing and the sample
 * config all come from that table. An unknown key, a bad value or a missing
 * required key is an error naming the file, the line and the key.
 */
#ifndef ENSAD_CONFIG_H
#define ENSAD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CFG_STR 256
#define CFG_PATH 4096
#define CFG_MAX_ENC 15

typedef struct {
    /* [data] */
    char data_path[CFG_PATH];
    char data_format[CFG_STR];
    int data_label_column;
    double data_normal_label;
    int data_header;
    int64_t data_synth_normal, data_synth_anomalous;
    int data_synth_length;
    double data_synth_noise;
    int64_t data_synth_seed;
    /* [partition] */
    int members;
    char scheme[CFG_STR];
    double dirichlet_alpha;
    int64_t test_normal, test_anomalous, val_normal, val_anomalous;
    int64_t partition_seed;
    /* [model] */
    int encoder[CFG_MAX_ENC];
    int n_encoder;
    /* [train] */
    int epochs, batch;
    double lr, beta1, beta2, eps;
    int64_t train_seed;
    int checkpoint_every;
    /* [ensemble] */
    char rule[CFG_STR];
    double trim;
    char threshold[CFG_STR];
    double alpha, target_fpr;
    int min_members;
    /* [evaluate] */
    int eval_chunk;
    int figures;
    /* [slurm]: read by jobs/submit from --print-config; kept as text */
    char slurm_partition[CFG_STR], slurm_account[CFG_STR];
    char slurm_qos[CFG_STR], slurm_extra_args[CFG_STR];
    int slurm_array_limit;
    char slurm_partition_time[CFG_STR], slurm_partition_mem[CFG_STR];
    int slurm_partition_ntasks, slurm_partition_cpus;
    char slurm_train_time[CFG_STR], slurm_train_mem[CFG_STR];
    int slurm_train_cpus;
    char slurm_aggregate_time[CFG_STR], slurm_aggregate_mem[CFG_STR];
    int slurm_aggregate_cpus;
    char slurm_evaluate_time[CFG_STR], slurm_evaluate_mem[CFG_STR];
    int slurm_evaluate_ntasks, slurm_evaluate_cpus;

    char source[CFG_PATH]; /* the INI file read, for messages */
} config_t;

/* All keys at their defaults. */
void config_defaults(config_t *cfg);
/* Reads an INI file over the current values; -1 with "FILE:LINE: ..." */
int config_load(config_t *cfg, const char *path);
/* Applies one "section.key=value" override; -1 with "--set ...: ..." */
int config_set(config_t *cfg, const char *assignment);
/* Cross-key checks and required keys, after loading and overrides. */
int config_check(const config_t *cfg);
/* The effective configuration as INI text, every key, with its doc as a
 * comment when with_docs; malloc'd. */
char *config_format(const config_t *cfg, int with_docs);

/* The value of section.key in INI text as config_format() writes it
 * (an output file's `config` attribute), into buf; "" when absent. */
void config_text_get(const char *text, const char *section, const char *key,
                     char *buf, size_t size);

#endif
