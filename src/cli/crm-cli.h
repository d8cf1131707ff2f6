/* crm-cli.h: the shared plumbing of crmctl commands (options, output, exit codes) */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* Exit codes: 0 success, 1 the command failed, 2 it was used wrongly. */
typedef enum
{
  CRM_CLI_EXIT_OK = 0,
  CRM_CLI_EXIT_FAILED = 1,
  CRM_CLI_EXIT_USAGE = 2,
} CrmCliExit;

typedef struct _CrmCli CrmCli;

struct _CrmCli
{
  char *db_path;    /* --db, CRM_DB, or NULL for the default location */
  gboolean quiet;
};

typedef int (*CrmCliCommandFunc) (CrmCli  *cli,
                                  int      argc,
                                  char   **argv);

typedef struct
{
  const char        *name;
  const char        *synopsis;   /* translatable, shown in usage */
  CrmCliCommandFunc  run;
} CrmCliCommand;

const CrmCliCommand *crm_cli_get_commands   (guint       *n_commands);
int                  crm_cli_main          (int          argc,
                                            char       **argv);
void                 crm_cli_print_usage   (FILE        *stream);
int                  crm_cli_usage_error   (const char  *format,
                                            ...) G_GNUC_PRINTF (1, 2);
int                  crm_cli_fail          (GError      *error);

G_END_DECLS
