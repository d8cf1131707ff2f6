/* crm-cli-commands.h: entry points of crmctl's commands, one file each */
#pragma once

#include "crm-cli.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* Add a command: write src/cli/crm-cli-NAME.c with its entry point, declare
 * it here and list it in the table in crm-cli.c. */

/* Shared by commands (crm-cli-db.c): the store at --db, $CRM_DB or the
 * default path, and "--name VALUE" / "--name=VALUE" option parsing. */
CrmStore *crm_cli_open_store  (CrmCli             *cli,
                               CrmStoreOpenFlags   flags,
                               GError            **error);
gboolean  crm_cli_take_option (int                 argc,
                               char              **argv,
                               int                *i,
                               const char         *name,
                               const char        **out_value);
char     *crm_cli_read_secret_file (const char     *path,
                                    GError        **error);

/* crm-cli-db.c */
int crm_cli_init      (CrmCli *cli, int argc, char **argv);
int crm_cli_backup    (CrmCli *cli, int argc, char **argv);
int crm_cli_restore   (CrmCli *cli, int argc, char **argv);
int crm_cli_check     (CrmCli *cli, int argc, char **argv);
int crm_cli_company   (CrmCli *cli, int argc, char **argv);
int crm_cli_recompute (CrmCli *cli, int argc, char **argv);
/* crm-cli-contact.c */
int crm_cli_contact   (CrmCli *cli, int argc, char **argv);
/* crm-cli-list.c */
int crm_cli_list      (CrmCli *cli, int argc, char **argv);
/* crm-cli-report.c */
int crm_cli_report    (CrmCli *cli, int argc, char **argv);
/* crm-cli-demo.c */
int crm_cli_demo      (CrmCli *cli, int argc, char **argv);
/* crm-cli-sync.c */
int crm_cli_sync      (CrmCli *cli, int argc, char **argv);
int crm_cli_conflicts (CrmCli *cli, int argc, char **argv);
/* crm-cli-import.c */
int crm_cli_import    (CrmCli *cli, int argc, char **argv);
/* crm-cli-export.c */
int crm_cli_export    (CrmCli *cli, int argc, char **argv);
/* crm-cli-dedupe.c */
int crm_cli_dedupe    (CrmCli *cli, int argc, char **argv);
int crm_cli_merge     (CrmCli *cli, int argc, char **argv);
/* crm-cli-survey.c */
int crm_cli_survey    (CrmCli *cli, int argc, char **argv);
/* crm-cli-service.c */
int crm_cli_service   (CrmCli *cli, int argc, char **argv);
/* crm-cli-campaign.c */
int crm_cli_campaign  (CrmCli *cli, int argc, char **argv);
/* crm-cli-greetings.c */
int crm_cli_greetings (CrmCli *cli, int argc, char **argv);
/* crm-cli-segment.c */
int crm_cli_segment   (CrmCli *cli, int argc, char **argv);

G_END_DECLS
