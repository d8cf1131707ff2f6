/* crm-cli-dedupe.c: crmctl dedupe (list or merge likely duplicates) and crmctl merge PRIMARY OTHER | undo ID */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>

#include "crm-cli-commands.h"
#include "crm-dedupe.h"
#include "crm-import-error.h"
#include "crm-merge.h"

int
crm_cli_dedupe (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  guint min_score = CRM_DEDUPE_DEFAULT_MIN_SCORE;
  gboolean apply = FALSE;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) pairs = NULL;
  g_autoptr(GError) error = NULL;
  guint merged = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *value = NULL;

      if (g_str_equal (argv[i], "--apply"))
        apply = TRUE;
      else if (crm_cli_take_option (argc, argv, &i, "--min-score", &value))
        {
          guint64 score = 0;

          if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, 100, &score, NULL))
            return crm_cli_usage_error (_("--min-score takes a number from 0 to 100"));
          min_score = (guint) score;
        }
      else
        return crm_cli_usage_error (_("unknown option “%s”"), argv[i]);
    }

  store = crm_cli_open_store (cli, apply ? CRM_STORE_OPEN_FLAGS_NONE : CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return crm_cli_fail (g_steal_pointer (&error));
  pairs = crm_dedupe_find (store, min_score, NULL, &error);
  if (pairs == NULL)
    return crm_cli_fail (g_steal_pointer (&error));

  for (guint i = 0; i < pairs->len; i++)
    {
      CrmDuplicatePair *p = g_ptr_array_index (pairs, i);
      g_autofree char *reasons = crm_duplicate_reasons_to_string (p->reasons);

      printf ("%3u  %s %s  %s %s  (%s)\n", p->score, p->id_a, p->name_a, p->id_b, p->name_b, reasons);
      if (apply)
        {
          g_autoptr(GError) merge_error = NULL;
          g_autofree char *merge_id = NULL;

          /* A contact merged away by an earlier pair is skipped. */
          if (!crm_merge_contacts (store, p->id_a, p->id_b, &merge_id, &merge_error))
            {
              if (!g_error_matches (merge_error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_NOT_FOUND))
                return crm_cli_fail (g_steal_pointer (&merge_error));
              fprintf (stderr, "  %s\n", merge_error->message);
              continue;
            }
          merged++;
          printf (_("     merged into %s (undo: crmctl merge undo %s)\n"), p->id_a, merge_id);
        }
    }
  if (!cli->quiet)
    {
      if (apply)
        fprintf (stderr, ngettext ("%u pair merged\n", "%u pairs merged\n", merged), merged);
      else
        fprintf (stderr, ngettext ("%u candidate pair (merge them with --apply)\n",
                                   "%u candidate pairs (merge them with --apply)\n", pairs->len), pairs->len);
    }
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_merge (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *merge_id = NULL;

  if (argc != 3)
    return crm_cli_usage_error (_("merge takes the primary contact’s id and the other’s, or undo and a merge id"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (g_steal_pointer (&error));
  if (g_str_equal (argv[1], "undo"))
    {
      if (!crm_merge_undo (store, argv[2], &error))
        return crm_cli_fail (g_steal_pointer (&error));
      printf (_("Merge %s undone.\n"), argv[2]);
      return CRM_CLI_EXIT_OK;
    }
  if (!crm_merge_contacts (store, argv[1], argv[2], &merge_id, &error))
    return crm_cli_fail (g_steal_pointer (&error));
  printf ("%s\n", merge_id);
  return CRM_CLI_EXIT_OK;
}
