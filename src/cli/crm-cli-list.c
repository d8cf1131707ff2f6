/* crm-cli-list.c: crmctl list contacts, as an aligned table, CSV or JSON */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-contact.h"
#include "crm-contact-search.h"
#include "crm-record.h"
#include "crm-store.h"

#define DEFAULT_LIMIT 100

static const char * const list_columns[] = {
  "id", "name", "kind", "email", "phone", "city", "lifecycle", "tags", NULL
};

static char *
contact_column (CrmContact *contact,
                const char *column)
{
  CrmRecord *record = CRM_RECORD (contact);

  if (g_str_equal (column, "email"))
    {
      const char * const *emails = crm_contact_get_emails (contact);

      return g_strdup (emails != NULL && emails[0] != NULL ? emails[0] : "");
    }
  if (g_str_equal (column, "phone"))
    {
      g_auto(GStrv) phones = crm_contact_dup_phone_numbers (contact);

      return g_strdup (phones[0] != NULL ? phones[0] : "");
    }
  if (g_str_equal (column, "lifecycle"))
    return g_strdup (crm_contact_get_lifecycle (contact));
  return crm_record_dup_field_as_string (record, column);
}

/* Columns on a terminal: CJK characters take two cells. */
static glong
display_width (const char *text)
{
  glong width = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static void
print_csv_field (GString    *line,
                 const char *value)
{
  /* RFC 4180: quote when needed, double the quotes inside. */
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (line, '"');
      for (const char *p = value; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
    }
  else
    g_string_append (line, value);
}

static int
list_contacts (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GArray) rids = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *search = NULL;
  const char *format = "table";
  const char *limit_text = NULL;
  const char *offset_text = NULL;
  guint64 limit = DEFAULT_LIMIT;
  guint64 offset = 0;
  guint total = 0;
  gboolean total_is_capped = FALSE;
  guint n_columns = g_strv_length ((char **) list_columns);
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--search", &search))
        {
          if (search == NULL)
            return crm_cli_usage_error (_("--search needs a text to look for"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--format", &format))
        {
          if (format == NULL || (!g_str_equal (format, "table") && !g_str_equal (format, "csv") &&
                                 !g_str_equal (format, "json")))
            return crm_cli_usage_error (_("--format must be table, csv or json"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--limit", &limit_text))
        {
          if (limit_text == NULL ||
              !g_ascii_string_to_unsigned (limit_text, 10, 0, G_MAXUINT, &limit, NULL))
            return crm_cli_usage_error (_("--limit needs a number (0 for all)"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--offset", &offset_text))
        {
          if (offset_text == NULL ||
              !g_ascii_string_to_unsigned (offset_text, 10, 0, G_MAXUINT, &offset, NULL))
            return crm_cli_usage_error (_("--offset needs a number"));
        }
      else
        return crm_cli_usage_error (_("unknown argument “%s” for list contacts"), argv[i]);
    }

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return crm_cli_fail (error);

  rids = crm_contact_search_rids (store, search, limit == 0 ? G_MAXUINT : (guint) limit, (guint) offset,
                                  &total, &total_is_capped, &error);
  if (rids == NULL || (ids = crm_contact_search_get_ids (store, rids, &error)) == NULL)
    return crm_cli_fail (error);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i), &error);
      char **row;

      if (contact == NULL)
        return crm_cli_fail (error);
      row = g_new0 (char *, n_columns + 1);
      for (guint c = 0; c < n_columns; c++)
        row[c] = contact_column (contact, list_columns[c]);
      g_ptr_array_add (rows, row);
    }

  if (g_str_equal (format, "json"))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i), NULL);

          if (contact != NULL)
            json_builder_add_value (builder, crm_record_to_json (CRM_RECORD (contact)));
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
    }
  else if (g_str_equal (format, "csv"))
    {
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < n_columns; c++)
        g_string_append_printf (line, "%s%s", c ? "," : "", list_columns[c]);
      printf ("%s\r\n", line->str);
      for (guint i = 0; i < rows->len; i++)
        {
          char **row = g_ptr_array_index (rows, i);

          g_string_truncate (line, 0);
          for (guint c = 0; c < n_columns; c++)
            {
              if (c > 0)
                g_string_append_c (line, ',');
              print_csv_field (line, row[c]);
            }
          printf ("%s\r\n", line->str);
        }
    }
  else
    {
      g_autofree glong *widths = g_new0 (glong, n_columns);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = display_width (list_columns[c]);
      for (guint i = 0; i < rows->len; i++)
        for (guint c = 0; c < n_columns; c++)
          widths[c] = MAX (widths[c], display_width (((char **) g_ptr_array_index (rows, i))[c]));

      for (guint r = 0; r <= rows->len; r++)
        {
          const char * const *row = r == 0 ? list_columns : g_ptr_array_index (rows, r - 1);
          g_autoptr(GString) line = g_string_new (NULL);

          for (guint c = 0; c < n_columns; c++)
            {
              g_string_append (line, row[c]);
              if (c + 1 < n_columns)
                for (glong pad = display_width (row[c]); pad < widths[c] + 2; pad++)
                  g_string_append_c (line, ' ');
            }
          printf ("%s\n", line->str);
        }
      if (!cli->quiet && total_is_capped)
        fprintf (stderr, _("Showing %u of more than %u contacts; use --limit and --offset to see more.\n"),
                 rows->len, total);
      else if (!cli->quiet && total > rows->len)
        fprintf (stderr, _("Showing %u of %u contacts; use --limit and --offset to see more.\n"),
                 rows->len, total);
    }

  return CRM_CLI_EXIT_OK;
}

int
crm_cli_list (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  if (argc < 2)
    return crm_cli_usage_error (_("list needs what to list: crmctl list contacts"));
  if (g_str_equal (argv[1], "contacts"))
    return list_contacts (cli, argc - 2, argv + 2);
  return crm_cli_usage_error (_("cannot list “%s”; try: crmctl list contacts"), argv[1]);
}
