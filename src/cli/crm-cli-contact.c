/* crm-cli-contact.c: crmctl contact add, get, set and delete */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-contact.h"
#include "crm-record.h"
#include "crm-store.h"

/* FIELD=VALUE arguments, applied in order; a malformed one is a usage error
 * (exit 2), a rejected value a failure (exit 1). */
static int
apply_fields (CrmContact  *contact,
              int          argc,
              char       **argv,
              GError     **error)
{
  for (int i = 0; i < argc; i++)
    {
      const char *eq = strchr (argv[i], '=');
      g_autofree char *field = NULL;

      if (eq == NULL || eq == argv[i])
        return crm_cli_usage_error (_("“%s” is not FIELD=VALUE, for example name=张三 or phone=13812345678"),
                                    argv[i]);
      field = g_strndup (argv[i], eq - argv[i]);
      if (!crm_contact_set_field_from_string (contact, field, eq + 1, error))
        return CRM_CLI_EXIT_FAILED;
    }
  return CRM_CLI_EXIT_OK;
}

static int
contact_add (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmContact) contact = crm_contact_new ();
  GError *error = NULL;
  int rc;

  if (argc == 0)
    return crm_cli_usage_error (_("contact add needs fields, for example: crmctl contact add name=张三 email=zhang@example.cn"));

  rc = apply_fields (contact, argc, argv, &error);
  if (rc == CRM_CLI_EXIT_FAILED)
    return crm_cli_fail (error);
  if (rc != CRM_CLI_EXIT_OK)
    return rc;

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || !crm_store_insert (store, CRM_RECORD (contact), &error))
    return crm_cli_fail (error);

  printf ("%s\n", crm_record_get_id (CRM_RECORD (contact)));
  return CRM_CLI_EXIT_OK;
}

static void
print_text (CrmRecord *record)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (record);
  guint n = crm_record_class_get_n_columns (klass);

  for (guint i = 0; i < n; i++)
    {
      const CrmColumn *column = crm_record_class_get_column (klass, i);
      g_autofree char *value = NULL;

      if (column->type == CRM_COLUMN_BYTES)
        continue;
      value = crm_record_dup_field_as_string (record, column->name);
      if (value == NULL || *value == '\0')
        continue;
      printf ("%-18s %s\n", column->name, value);
    }
}

static int
contact_get (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmContact) contact = NULL;
  const char *format = "text";
  const char *id = NULL;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--format", &format))
        {
          if (format == NULL || (!g_str_equal (format, "json") && !g_str_equal (format, "text")))
            return crm_cli_usage_error (_("--format must be json or text"));
        }
      else if (id == NULL && argv[i][0] != '-')
        id = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for contact get"), argv[i]);
    }
  if (id == NULL)
    return crm_cli_usage_error (_("contact get needs the contact's id"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return crm_cli_fail (error);
  contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);
  if (contact == NULL)
    return crm_cli_fail (error);

  if (g_str_equal (format, "json"))
    {
      g_autoptr(JsonNode) node = crm_record_to_json (CRM_RECORD (contact));
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_root (generator, node);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
    }
  else
    print_text (CRM_RECORD (contact));
  return CRM_CLI_EXIT_OK;
}

static int
contact_set (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmContact) contact = NULL;
  GError *error = NULL;
  int rc;

  if (argc < 2)
    return crm_cli_usage_error (_("contact set needs an id and fields: crmctl contact set ID FIELD=VALUE…"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);
  contact = crm_store_get (store, CRM_TYPE_CONTACT, argv[0], &error);
  if (contact == NULL)
    return crm_cli_fail (error);

  rc = apply_fields (contact, argc - 1, argv + 1, &error);
  if (rc == CRM_CLI_EXIT_FAILED)
    return crm_cli_fail (error);
  if (rc != CRM_CLI_EXIT_OK)
    return rc;

  if (!crm_store_update (store, CRM_RECORD (contact), &error))
    return crm_cli_fail (error);
  return CRM_CLI_EXIT_OK;
}

static int
contact_delete (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  GError *error = NULL;

  if (argc != 1)
    return crm_cli_usage_error (_("contact delete needs exactly one id"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || !crm_store_delete (store, CRM_TYPE_CONTACT, argv[0], &error))
    return crm_cli_fail (error);
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_contact (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  if (argc < 2)
    return crm_cli_usage_error (_("contact needs a subcommand: add, get, set or delete"));

  if (g_str_equal (argv[1], "add"))
    return contact_add (cli, argc - 2, argv + 2);
  if (g_str_equal (argv[1], "get"))
    return contact_get (cli, argc - 2, argv + 2);
  if (g_str_equal (argv[1], "set"))
    return contact_set (cli, argc - 2, argv + 2);
  if (g_str_equal (argv[1], "delete"))
    return contact_delete (cli, argc - 2, argv + 2);

  return crm_cli_usage_error (_("unknown contact subcommand “%s”; use add, get, set or delete"), argv[1]);
}
