/* test-vcard.c: reading vCards from phones, and export → import round trips (vCard 3.0/4.0, CSV UTF-8 and GB18030) */

#include "config.h"

#include <string.h>

#include "crm-contact-importer.h"
#include "crm-contact-lookup.h"
#include "crm-contact.h"
#include "crm-exporter.h"
#include "crm-import-error.h"
#include "crm-vcard.h"
#include "store-fixture.h"

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

/* The cards of a file as "field=value;…" lines. */
static char *
read_cards (const char *data)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (data), -1, g_free);
  g_autoptr(CrmVCardReader) reader = crm_vcard_reader_new (in);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *values;

  while (crm_vcard_reader_next (reader, &values, NULL, &error))
    {
      for (guint i = 0; i < values->len; i++)
        {
          CrmVCardValue *v = g_ptr_array_index (values, i);

          g_string_append_printf (out, "%s%s=%s", i ? ";" : "", v->field, v->value);
        }
      g_string_append_c (out, '\n');
    }
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_read_fixtures (void)
{
  g_autofree char *path = fixture_path ("android-2.1.vcf");
  g_autofree char *contents = NULL;
  g_autofree char *cards = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  cards = read_cards (contents);
  g_assert_cmpstr (cards, ==,
                   "name=张三;phone=138-0013-8000;phone=010-62345678;email=zhangsan@example.com;organization=华为技术有限公司;notes=第一行\n第二行;birthday=1985-03-05\n"
                   "phone=+86 139 0013 9000;name=李四\n"
                   "name=John Smith;phone=+44 20 7946 0958;email=John.Smith@Example.co.uk\n");
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&cards, g_free);
  g_free (path);
  path = fixture_path ("ios-3.0.vcf");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  cards = read_cards (contents);
  g_assert_cmpstr (cards, ==,
                   "name=王小明;organization=腾讯科技（深圳）有限公司;title=高级产品经理;email=wangxm@example.com;"
                   "phone=+86 137 0013 7000;phone=0755-8601 3388;address=科技中一路腾讯大厦;city=深圳市;province=广东省;"
                   "notes=喜欢早上联系, 不要周末打电话; 重要客户\n第二行;birthday=1990-12-01;tags=VIP;tags=老客户\n"
                   "name=Johnny Appleseed;organization=Apple Inc.;email=johnny_appleseed@apple.com;phone=+1 (408) 555-0126;"
                   "notes=This is a very long note that Apple folds at seventy-five octets so the reader must unfold it, keeping the comma.\n");
}

static void
test_broken (void)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data ("BEGIN:VCARD\r\nFN:A\r\n", -1, NULL);
  g_autoptr(CrmVCardReader) reader = crm_vcard_reader_new (in);
  g_autoptr(GError) error = NULL;
  GPtrArray *values;

  g_assert_false (crm_vcard_reader_next (reader, &values, NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FORMAT);
  g_assert_cmpstr (error->message, ==, "Card 1 has no END:VCARD; the file is cut off.");
}

static void
test_folding (void)
{
  g_autoptr(CrmContact) c = crm_contact_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *cards = NULL;

  g_assert_true (crm_contact_set_field_from_string (c, "name", "欧阳娜娜", NULL));
  g_assert_true (crm_contact_set_field_from_string (c, "notes", "很长的备注，包含逗号, 分号; 反斜杠\\ 和换行\n第二行的内容也很长很长很长很长很长很长很长很长很长很长", NULL));
  crm_vcard_append_contact (out, c, NULL, CRM_VCARD_VERSION_3_0);
  lines = g_strsplit (out->str, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (lines[i]), <=, 75);
      g_assert_true (g_utf8_validate (lines[i], -1, NULL));
    }
  cards = read_cards (out->str);
  g_assert_cmpstr (cards, ==, "name=欧阳娜娜;notes=很长的备注，包含逗号, 分号; 反斜杠\\ 和换行\n第二行的内容也很长很长很长很长很长很长很长很长很长很长\n");
}

/* Everything we store about a contact, as text, for comparing. */
static char *
describe (CrmStore   *store,
          const char *e164)
{
  static const char * const fields[] = {
    "name", "kind", "gender", "birthday", "phones", "emails", "title", "occupation", "address",
    "province", "city", "source", "tags", "notes", "external_id", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = crm_contact_lookup_by_phone (store, e164, &error);
  g_autoptr(CrmRecord) c = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);
  g_autoptr(GString) s = g_string_new (NULL);
  const char *org_id;

  g_assert_no_error (error);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_autofree char *v = crm_record_dup_field_as_string (c, fields[i]);
      g_string_append_printf (s, "%s=%s|", fields[i], v);
    }
  org_id = crm_record_get_string (c, "organization_id");
  if (org_id != NULL)
    {
      g_autoptr(CrmContact) org = crm_store_get (store, CRM_TYPE_CONTACT, org_id, &error);
      g_string_append_printf (s, "organization=%s", crm_contact_get_name (org));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
round_trip (CrmExportFormat format,
            const char     *encoding,
            const char     *file_name)
{
  StoreFixture a = { 0 };
  StoreFixture b = { 0 };
  g_autofree char *fixture = fixture_path ("customers-gb18030.csv");
  g_autoptr(CrmContactImporter) importer = NULL;
  g_autoptr(CrmContactImporter) reimporter = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree char *path = NULL;
  const char *phones[] = { "+8613800138000", "+8613900139000", "+8613700137000", "+8613600136000", "+8615900159000" };
  guint64 count = 0;

  store_fixture_setup (&a, NULL);
  store_fixture_setup (&b, NULL);
  importer = crm_contact_importer_new (a.store);
  g_assert_true (crm_contact_importer_run (importer, fixture, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  path = g_build_filename (a.dir, file_name, NULL);
  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_true (crm_export_contacts (a.store, G_OUTPUT_STREAM (out), format, encoding, NULL, NULL, &count, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  g_assert_cmpuint (count, ==, 7);   /* 5 people, 2 organizations */

  reimporter = crm_contact_importer_new (b.store);
  g_assert_true (crm_contact_importer_run (reimporter, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < crm_import_run_get_problems (crm_contact_importer_get_run (reimporter))->len; i++)
    {
      CrmImportProblem *p = g_ptr_array_index (crm_import_run_get_problems (crm_contact_importer_get_run (reimporter)), i);
      g_test_message ("problem: %" G_GUINT64_FORMAT " %s %s %s", p->row, p->column, p->value, p->message);
    }
  g_assert_cmpuint (crm_import_run_get_n_problems (crm_contact_importer_get_run (reimporter)), ==, 0);
  if (encoding != NULL)
    g_assert_cmpstr (crm_contact_importer_get_encoding (reimporter), ==, encoding);

  for (guint i = 0; i < G_N_ELEMENTS (phones); i++)
    {
      g_autofree char *before = describe (a.store, phones[i]);
      g_autofree char *after = describe (b.store, phones[i]);

      g_assert_cmpstr (after, ==, before);
    }
  g_assert_cmpint (store_query_int (b.store, "SELECT count(*) FROM contacts"), ==, 7);

  /* The importers hold the stores, which the teardown checks are freed. */
  g_clear_object (&importer);
  g_clear_object (&reimporter);
  store_fixture_teardown (&a, NULL);
  store_fixture_teardown (&b, NULL);
}

static void
test_round_trip_vcard3 (void)
{
  round_trip (CRM_EXPORT_VCARD_3, NULL, "out.vcf");
}

static void
test_round_trip_vcard4 (void)
{
  round_trip (CRM_EXPORT_VCARD_4, NULL, "out.vcf");
}

static void
test_round_trip_csv (void)
{
  round_trip (CRM_EXPORT_CSV, NULL, "out.csv");
}

static void
test_round_trip_csv_gb18030 (void)
{
  round_trip (CRM_EXPORT_CSV, "GB18030", "out.csv");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vcard/read-fixtures", test_read_fixtures);
  g_test_add_func ("/vcard/broken", test_broken);
  g_test_add_func ("/vcard/folding", test_folding);
  g_test_add_func ("/vcard/round-trip-3.0", test_round_trip_vcard3);
  g_test_add_func ("/vcard/round-trip-4.0", test_round_trip_vcard4);
  g_test_add_func ("/vcard/round-trip-csv", test_round_trip_csv);
  g_test_add_func ("/vcard/round-trip-csv-gb18030", test_round_trip_csv_gb18030);

  return g_test_run ();
}
