/* test-contact-importer.c: importing the CSV and vCard fixtures: counts, per-row problems, dedupe, dry run, undo, cancel */

#include "config.h"

#include <string.h>

#include "crm-contact-importer.h"
#include "crm-contact-lookup.h"
#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-import-error.h"
#include "store-fixture.h"

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

static CrmContactImporter *
run_import (StoreFixture *f,
            const char   *fixture,
            gboolean      dry_run,
            CrmImportKey  update_by)
{
  g_autofree char *path = fixture_path (fixture);
  g_autoptr(GError) error = NULL;
  CrmContactImporter *importer = crm_contact_importer_new (f->store);

  crm_contact_importer_set_dry_run (importer, dry_run);
  crm_contact_importer_set_update_by (importer, update_by);
  g_assert_true (crm_contact_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return importer;
}

static void
assert_summary (CrmContactImporter *importer,
                guint64             created,
                guint64             updated,
                guint64             skipped,
                guint64             errors)
{
  CrmImportSummary *s = crm_import_run_get_summary (crm_contact_importer_get_run (importer));

  g_assert_cmpuint (s->created, ==, created);
  g_assert_cmpuint (s->updated, ==, updated);
  g_assert_cmpuint (s->skipped, ==, skipped);
  g_assert_cmpuint (s->errors, ==, errors);
}

/* The problems as "row|column|value|message" lines. */
static char *
problems_text (CrmContactImporter *importer)
{
  GPtrArray *problems = crm_import_run_get_problems (crm_contact_importer_get_run (importer));
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      CrmImportProblem *p = g_ptr_array_index (problems, i);

      g_string_append_printf (s, "%" G_GUINT64_FORMAT "|%s|%s|%s\n", p->row, p->column, p->value, p->message);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static CrmContact *
get_by_phone (CrmStore   *store,
              const char *e164)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = crm_contact_lookup_by_phone (store, e164, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return crm_store_get (store, CRM_TYPE_CONTACT, id, &error);
}

static const char gb18030_problems[] =
  "6|生日|1992-02-30|“1992-02-30” is not a date that exists. Check the day and the month.\n"
  "7|姓名||The name is empty. Every contact needs a name.\n"
  "8|性别|未知|“未知” is not a gender. Use 男 or 女 (male or female), or leave it empty.\n"
  "8|手机|1380013|phone: “1380013” has no area code. Write it with one, like 010-12345678, or with the country code, like +86 10 1234 5678.\n"
  "8|邮箱|sunba@|email: “sunba@” is not an email address. Write it like name@example.com.\n";

static void
test_gb18030 (StoreFixture  *f,
              gconstpointer  data)
{
  g_autoptr(CrmContactImporter) importer = run_import (f, "customers-gb18030.csv", FALSE, CRM_IMPORT_KEY_NONE);
  g_autofree char *problems = problems_text (importer);
  g_autoptr(CrmContact) zhang = NULL;
  g_autoptr(CrmContact) li = NULL;
  g_autoptr(CrmContact) wang = NULL;
  g_autoptr(CrmContact) zhao = NULL;
  g_autoptr(CrmContact) org = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  const char * const *tags;

  g_assert_cmpstr (crm_contact_importer_get_encoding (importer), ==, "GB18030");
  assert_summary (importer, 5, 0, 0, 3);
  g_assert_cmpstr (problems, ==, gb18030_problems);

  zhang = get_by_phone (f->store, "+8613800138000");
  g_assert_cmpstr (crm_contact_get_name (zhang), ==, "张三");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "gender"), ==, "male");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "birthday"), ==, "1985-03-05");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "external_id"), ==, "C001");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "title"), ==, "销售经理");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "province"), ==, "广东省");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "city"), ==, "深圳市");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "source"), ==, "展会");
  tags = crm_record_get_strv (CRM_RECORD (zhang), "tags");
  g_assert_cmpstr (tags[0], ==, "VIP");
  g_assert_cmpstr (tags[1], ==, "老客户");
  g_assert_null (tags[2]);

  org = crm_store_get (f->store, CRM_TYPE_CONTACT, crm_record_get_string (CRM_RECORD (zhang), "organization_id"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_contact_get_name (org), ==, "华为技术有限公司");
  g_assert_cmpstr (crm_contact_get_kind (org), ==, "organization");
  /* Both 华为 rows point at one organization. */
  zhao = get_by_phone (f->store, "+8613600136000");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhao), "organization_id"), ==, crm_record_get_id (CRM_RECORD (org)));
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhao), "birthday"), ==, "1987-08-30");

  li = get_by_phone (f->store, "+8613900139000");
  g_assert_cmpstr (crm_contact_get_emails (li)[0], ==, "LiSi@example.com");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (li), "birthday"), ==, "1990-12-01");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (li), "province"), ==, "广东");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (li), "city"), ==, "深圳");

  wang = get_by_phone (f->store, "+8613700137000");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (wang), "notes"), ==, "备注含逗号,和\"引号\"");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (wang), "birthday"), ==, "1978-12-31");

  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE kind = 'person'"), ==, 5);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE kind = 'organization'"), ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT rows_inserted FROM import_runs"), ==, 5);
  g_assert_cmpint (store_query_int (f->store, "SELECT rows_failed FROM import_runs"), ==, 3);
  g_assert_cmpint (store_query_int (f->store, "SELECT json_array_length (errors) FROM import_runs"), ==, 5);

  /* Searchable right away. */
  found = crm_contact_search (f->store, "张三", 10, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
}

static void
test_reimport_merges (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(CrmContactImporter) first = run_import (f, "customers-gb18030.csv", FALSE, CRM_IMPORT_KEY_NONE);
  g_autoptr(CrmContactImporter) second = run_import (f, "customers-gb18030.csv", FALSE, CRM_IMPORT_KEY_NONE);

  /* The same people are recognised by phone: nothing is created twice. */
  assert_summary (second, 0, 0, 5, 3);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE kind = 'person'"), ==, 5);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE kind = 'organization'"), ==, 2);
}

static void
test_dry_run (StoreFixture  *f,
              gconstpointer  data)
{
  g_autoptr(CrmContact) existing = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmContactImporter) importer = NULL;
  g_autofree char *problems = NULL;
  gint64 outbox;

  g_assert_true (crm_contact_set_field_from_string (existing, "name", "张三", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "phone", "13800138000", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (existing), &error));
  outbox = store_query_int (f->store, "SELECT count(*) FROM outbox");

  importer = run_import (f, "customers-gb18030.csv", TRUE, CRM_IMPORT_KEY_NONE);
  problems = problems_text (importer);

  /* Exactly what the real import would do… */
  assert_summary (importer, 4, 1, 0, 3);
  g_assert_cmpstr (problems, ==, gb18030_problems);
  g_assert_null (crm_import_run_get_id (crm_contact_importer_get_run (importer)));
  /* …and nothing written. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, outbox);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM import_runs"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_identities"), ==, 1);
  g_assert_false (crm_store_in_transaction (f->store));
}

static void
test_undo (StoreFixture  *f,
           gconstpointer  data)
{
  g_autoptr(CrmContact) existing = crm_contact_new ();
  g_autoptr(CrmContact) after = NULL;
  g_autoptr(CrmContactImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_id = NULL;
  guint64 reverted = 0;

  g_assert_true (crm_contact_set_field_from_string (existing, "name", "张三", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "phone", "13800138000", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "notes", "原有备注", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (existing), &error));

  importer = run_import (f, "customers-gb18030.csv", FALSE, CRM_IMPORT_KEY_NONE);
  assert_summary (importer, 4, 1, 0, 3);
  run_id = g_strdup (crm_import_run_get_id (crm_contact_importer_get_run (importer)));

  /* The duplicate was merged: empty fields filled, notes kept. */
  after = get_by_phone (f->store, "+8613800138000");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (after), "notes"), ==, "原有备注");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (after), "title"), ==, "销售经理");
  g_assert_cmpstr (crm_contact_get_emails (after)[0], ==, "zhangsan@example.com");
  g_clear_object (&after);

  g_assert_true (crm_import_run_undo (f->store, run_id, &reverted, &error));
  g_assert_no_error (error);
  /* 4 contacts + 2 organizations created, 1 updated. */
  g_assert_cmpuint (reverted, ==, 7);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 1);
  after = get_by_phone (f->store, "+8613800138000");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (after), "notes"), ==, "原有备注");
  g_assert_null (crm_record_get_string (CRM_RECORD (after), "title"));
  g_assert_null (crm_contact_get_emails (after)[0]);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM import_runs WHERE status = 'undone'"), ==, 1);

  g_assert_false (crm_import_run_undo (f->store, run_id, NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ALREADY_UNDONE);
  g_clear_error (&error);
  g_assert_false (crm_import_run_undo (f->store, "no-such-run", NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_NOT_FOUND);
}

static void
test_update_by_external_id (StoreFixture  *f,
                            gconstpointer  data)
{
  g_autoptr(CrmContact) existing = crm_contact_new ();
  g_autoptr(CrmContact) after = NULL;
  g_autoptr(CrmContactImporter) importer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_contact_set_field_from_string (existing, "name", "张三（旧）", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "external_id", "C001", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "title", "实习生", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "phone", "13911112222", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (existing), &error));

  importer = run_import (f, "customers-gb18030.csv", FALSE, CRM_IMPORT_KEY_EXTERNAL_ID);
  assert_summary (importer, 4, 1, 0, 3);

  after = crm_store_get (f->store, CRM_TYPE_CONTACT, crm_record_get_id (CRM_RECORD (existing)), &error);
  g_assert_no_error (error);
  /* The file is the newer truth: fields are replaced, numbers added. */
  g_assert_cmpstr (crm_contact_get_name (after), ==, "张三");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (after), "title"), ==, "销售经理");
  {
    g_auto(GStrv) phones = crm_contact_dup_phone_numbers (after);

    g_assert_cmpuint (g_strv_length (phones), ==, 2);
    g_assert_cmpstr (phones[0], ==, "+8613911112222");
    g_assert_cmpstr (phones[1], ==, "+8613800138000");
  }
}

static void
test_errors_file (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autofree char *path = fixture_path ("customers-gb18030.csv");
  g_autofree char *errors_path = g_build_filename (f->dir, "errors.csv", NULL);
  g_autoptr(CrmContactImporter) importer = crm_contact_importer_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  crm_contact_importer_set_errors_path (importer, errors_path);
  g_assert_true (crm_contact_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (errors_path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==,
                   "\xEF\xBB\xBFRow,Column,Value,Problem\r\n"
                   "6,生日,1992-02-30,“1992-02-30” is not a date that exists. Check the day and the month.\r\n"
                   "7,姓名,,The name is empty. Every contact needs a name.\r\n"
                   "8,性别,未知,\"“未知” is not a gender. Use 男 or 女 (male or female), or leave it empty.\"\r\n"
                   "8,手机,1380013,\"phone: “1380013” has no area code. Write it with one, like 010-12345678, or with the country code, like +86 10 1234 5678.\"\r\n"
                   "8,邮箱,sunba@,email: “sunba@” is not an email address. Write it like name@example.com.\r\n");
}

static void
test_cp1252_semicolons (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(CrmContactImporter) importer = run_import (f, "contacts-semicolon-cp1252.csv", FALSE, CRM_IMPORT_KEY_NONE);
  g_autoptr(CrmContact) juergen = NULL;
  g_autoptr(CrmContact) francois = NULL;
  g_autofree char *problems = problems_text (importer);

  g_assert_cmpstr (problems, ==, "");
  g_assert_cmpstr (crm_contact_importer_get_encoding (importer), ==, "WINDOWS-1252");
  assert_summary (importer, 3, 0, 0, 0);
  juergen = get_by_phone (f->store, "+49301234567");
  g_assert_cmpstr (crm_contact_get_name (juergen), ==, "Jürgen Müller");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (juergen), "birthday"), ==, "1970-03-05");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (juergen), "city"), ==, "München");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (juergen), "notes"), ==, "Kunde seit 1999; bevorzugt Brief");
  francois = get_by_phone (f->store, "+33491551100");
  g_assert_cmpstr (crm_contact_get_name (francois), ==, "François Lefèvre");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (francois), "birthday"), ==, "1984-02-29");
}

static void
test_multiline (StoreFixture  *f,
                gconstpointer  data)
{
  g_autoptr(CrmContactImporter) importer = run_import (f, "contacts-multiline.csv", FALSE, CRM_IMPORT_KEY_NONE);
  g_autoptr(CrmContact) john = NULL;

  assert_summary (importer, 3, 0, 0, 0);
  john = get_by_phone (f->store, "+8613800000001");
  g_assert_cmpstr (crm_contact_get_name (john), ==, "Smith, John");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (john), "address"), ==, "12 High Street\nFlat 3\nLondon");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (john), "notes"), ==, "He said \"call me\nafter 5pm\"");
}

static void
write_file (StoreFixture *f,
            const char   *name,
            const char   *contents,
            char        **out_path)
{
  g_autoptr(GError) error = NULL;

  *out_path = g_build_filename (f->dir, name, NULL);
  g_assert_true (g_file_set_contents (*out_path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
test_bad_rows_keep_data (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(CrmContact) existing = crm_contact_new ();
  g_autoptr(CrmContact) after = NULL;
  g_autoptr(CrmContactImporter) importer = crm_contact_importer_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *problems = NULL;

  g_assert_true (crm_contact_set_field_from_string (existing, "name", "老客户", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "phone", "13700000000", &error));
  g_assert_true (crm_contact_set_field_from_string (existing, "birthday", "1970-01-01", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (existing), &error));

  write_file (f, "bad.csv",
              "Name,Phone,Birthday,Gender\n"
              "老客户,13700000000,31/02/1971,男\n"      /* a duplicate with a bad date */
              "A,13700000001,,x,extra\n"               /* more values than headers */
              "B,13700000002,,\n"
              "\"C,13700000003\n", &path);
  g_assert_true (crm_contact_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  problems = problems_text (importer);
  g_assert_cmpstr (problems, ==,
                   "2|Birthday|31/02/1971|“31/02/1971” is not a date that exists. Check the day and the month.\n"
                   "3|5|extra|Row 3 has more columns than the header (4); the extra values were not imported.\n"
                   "5|||Row 5: a quoted field is not closed before the end of the file, so the row was skipped. Add the missing quote.\n");
  assert_summary (importer, 1, 0, 0, 3);

  /* The stored contact is untouched by its bad duplicate row. */
  after = crm_store_get (f->store, CRM_TYPE_CONTACT, crm_record_get_id (CRM_RECORD (existing)), &error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (after), "birthday"), ==, "1970-01-01");
  g_assert_null (crm_record_get_string (CRM_RECORD (after), "gender"));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 2);
}

static void
test_mapping_template (StoreFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(CrmImportMapping) mapping = crm_import_mapping_new (CRM_IMPORT_TARGET_CONTACTS);
  g_autoptr(CrmImportMapping) loaded = NULL;
  g_autoptr(CrmContactImporter) importer = crm_contact_importer_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *template_path = g_build_filename (f->dir, "mapping.json", NULL);
  g_autoptr(CrmContact) c = NULL;

  /* Headers nobody could guess, mapped by hand once and reused. */
  g_assert_true (crm_import_mapping_set_header (mapping, "Kunde", "name", &error));
  g_assert_true (crm_import_mapping_set_header (mapping, "Nr", "phone", &error));
  g_assert_true (crm_import_mapping_set_header (mapping, "Tag X", "birthday", &error));
  g_assert_true (crm_import_mapping_set_header (mapping, "Junk", "", &error));
  crm_import_mapping_set_date_order (mapping, CRM_DATE_ORDER_MONTH_FIRST);
  g_assert_false (crm_import_mapping_set_header (mapping, "Y", "salary", &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_MAPPING);
  g_clear_error (&error);
  g_assert_true (crm_import_mapping_save (mapping, template_path, &error));
  g_assert_no_error (error);

  loaded = crm_import_mapping_new_from_file (template_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (crm_import_mapping_get_date_order (loaded), ==, CRM_DATE_ORDER_MONTH_FIRST);

  write_file (f, "odd.csv", "Junk,Kunde,Nr,Tag X\nzzz,Anna,13600000009,03/05/1990\n", &csv);
  crm_contact_importer_set_mapping (importer, loaded);
  g_assert_true (crm_contact_importer_run (importer, csv, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_summary (importer, 1, 0, 0, 0);
  c = get_by_phone (f->store, "+8613600000009");
  g_assert_cmpstr (crm_contact_get_name (c), ==, "Anna");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (c), "birthday"), ==, "1990-03-05");

  /* No name column: refused before anything is written. */
  g_clear_object (&importer);
  g_free (csv);
  write_file (f, "noname.csv", "手机,邮箱\n13600000010,a@b.cn\n", &csv);
  importer = crm_contact_importer_new (f->store);
  g_assert_false (crm_contact_importer_run (importer, csv, NULL, NULL, NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_MAPPING);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 1);
}

static void
cancel_after_first_chunk (guint64  rows,
                          guint64  bytes,
                          guint64  total,
                          gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (StoreFixture  *f,
             gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new ("姓名,手机\n");
  g_autoptr(CrmContactImporter) importer = crm_contact_importer_new (f->store);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  for (guint i = 0; i < 10; i++)
    g_string_append_printf (csv, "客户%u,1380000%04u\n", i, i);
  write_file (f, "ten.csv", csv->str, &path);
  crm_contact_importer_set_chunk_size (importer, 4);
  g_assert_false (crm_contact_importer_run (importer, path, cancellable, cancel_after_first_chunk,
                                            cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The first chunk stays (and is undoable with its run); the rest never
   * happened. */
  assert_summary (importer, 4, 0, 0, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 4);
  g_assert_cmpint (store_query_int (f->store, "SELECT rows_inserted FROM import_runs WHERE status = 'cancelled'"), ==, 4);
}

static void
test_broken_encoding_fails_run (StoreFixture  *f,
                                gconstpointer  data)
{
  /* GB18030 cut inside the last character: the rows before it are
   * imported and kept, the run is marked failed, and the error says why. */
  const char bytes[] = "\xd0\xd5\xc3\xfb,\xca\xd6\xbb\xfa\n"        /* 姓名,手机 */
                       "\xd5\xc5\xc8\xfd,13800138000\n"              /* 张三 */
                       "\xc0\xee\xcb\xc4,13900139000\n"              /* 李四 */
                       "\xcd";                                          /* half of 王 */
  g_autofree char *path = g_build_filename (f->dir, "cut.csv", NULL);
  g_autoptr(CrmContactImporter) importer = crm_contact_importer_new (f->store);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, bytes, sizeof bytes - 1, NULL));
  crm_contact_importer_set_chunk_size (importer, 1);
  g_assert_false (crm_contact_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING);
  g_assert_cmpstr (crm_contact_importer_get_encoding (importer), ==, "GB18030");
  assert_summary (importer, 2, 0, 0, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM import_runs WHERE status = 'failed' AND rows_inserted = 2"), ==, 1);
}

static void
test_vcards (StoreFixture  *f,
             gconstpointer  data)
{
  g_autoptr(CrmContactImporter) android = run_import (f, "android-2.1.vcf", FALSE, CRM_IMPORT_KEY_NONE);
  g_autoptr(CrmContactImporter) ios = run_import (f, "ios-3.0.vcf", FALSE, CRM_IMPORT_KEY_NONE);
  g_autoptr(CrmContactImporter) v4 = run_import (f, "card-4.0.vcf", FALSE, CRM_IMPORT_KEY_NONE);
  g_autoptr(CrmContact) zhang = NULL;
  g_autoptr(CrmContact) li = NULL;
  g_autoptr(CrmContact) wang = NULL;
  g_autoptr(CrmContact) zhao = NULL;
  g_autofree char *problems = problems_text (android);

  g_assert_cmpstr (problems, ==, "");
  assert_summary (android, 3, 0, 0, 0);
  assert_summary (ios, 2, 0, 0, 0);
  assert_summary (v4, 1, 0, 0, 0);

  zhang = get_by_phone (f->store, "+8613800138000");
  g_assert_cmpstr (crm_contact_get_name (zhang), ==, "张三");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "notes"), ==, "第一行\n第二行");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "birthday"), ==, "1985-03-05");
  {
    g_auto(GStrv) phones = crm_contact_dup_phone_numbers (zhang);

    g_assert_cmpstr (phones[1], ==, "+861062345678");
  }
  li = get_by_phone (f->store, "+8613900139000");
  g_assert_cmpstr (crm_contact_get_name (li), ==, "李四");

  wang = get_by_phone (f->store, "+8613700137000");
  g_assert_cmpstr (crm_contact_get_name (wang), ==, "王小明");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (wang), "title"), ==, "高级产品经理");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (wang), "notes"), ==, "喜欢早上联系, 不要周末打电话; 重要客户\n第二行");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (wang), "address"), ==, "科技中一路腾讯大厦");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (wang), "city"), ==, "深圳市");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (wang), "province"), ==, "广东省");
  g_assert_cmpstr (crm_contact_get_emails (wang)[0], ==, "wangxm@example.com");

  zhao = get_by_phone (f->store, "+8613600136000");
  g_assert_cmpstr (crm_contact_get_name (zhao), ==, "赵六");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhao), "gender"), ==, "female");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhao), "birthday"), ==, "1988-08-08");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhao), "external_id"), ==, "C004");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhao), "source"), ==, "展会");
}

/* New contacts' outbox and audit rows are written per chunk in one pass
 * rather than by the insert trigger: they must be the rows the trigger
 * writes, with the same mutation ids, and an update of a contact created
 * earlier in the same chunk must come after its insert. */
static void
test_outbox_like_triggers (StoreFixture  *f,
                           gconstpointer  data)
{
  static const char csv[] =
    "姓名,手机,邮箱,公司,标签\n"
    "王一,13800000001,,星辰科技,VIP\n"
    "王一,138-0000-0001,wang1@example.com,,老客户\n"
    "李二,13800000002,li2@example.com,星辰科技,\n"
    "赵三,13800000003,zhao3@example.com,月亮公司,\n"
    "钱四,13800000004,,,\n";
  g_autofree char *path = g_build_filename (f->dir, "outbox.csv", NULL);
  g_autofree char *ref_path = g_build_filename (f->dir, "reference.db", NULL);
  g_autoptr(CrmContactImporter) importer = crm_contact_importer_new (f->store);
  g_autoptr(CrmStore) reference = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *attach = NULL;
  sqlite3 *db;
  gint64 n;

  g_assert_true (g_file_set_contents (path, csv, -1, &error));
  crm_contact_importer_set_chunk_size (importer, 2);
  g_assert_true (crm_contact_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_summary (importer, 4, 1, 0, 0);

  /* Mutation ids 1…n without a gap, one insert per contact, and 王一's
   * update after his insert. */
  n = store_query_int (f->store, "SELECT count(*) FROM outbox");
  g_assert_cmpint (n, ==, 4 + 2 + 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT max (mutation_id) FROM outbox"), ==, n);
  g_assert_cmpint (store_query_int (f->store, "SELECT last_mutation_id FROM local_state"), ==, n);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox WHERE op = 'insert'"), ==,
                   store_query_int (f->store, "SELECT count(*) FROM contacts"));
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count(*) FROM outbox u JOIN outbox i ON i.row_id = u.row_id "
                                    "WHERE u.op = 'update' AND i.op = 'insert' AND i.mutation_id < u.mutation_id"), ==, 1);
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count(*) FROM outbox a JOIN contacts ca ON ca.id = a.row_id, "
                                    "outbox b JOIN contacts cb ON cb.id = b.row_id "
                                    "WHERE a.op = 'insert' AND b.op = 'insert' AND ca.rid < cb.rid AND a.mutation_id > b.mutation_id"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT applying_remote FROM local_state"), ==, 0);

  /* The same contacts inserted one by one, by the triggers, into another
   * database: the same outbox and audit rows (the updated contact aside,
   * whose insert carried its values of that time). */
  reference = crm_store_open (ref_path, &error);
  g_assert_no_error (error);
  db = crm_store_get_db (reference);
  attach = g_strdup_printf ("ATTACH '%s' AS imported", f->path);
  g_assert_cmpint (sqlite3_exec (db, attach, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO main.contacts SELECT * FROM imported.contacts ORDER BY rid",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (store_query_int (reference,
                                    "SELECT count(*) FROM imported.outbox i JOIN main.outbox m ON m.row_id = i.row_id AND m.op = 'insert' "
                                    "WHERE i.op = 'insert' AND i.table_name = m.table_name "
                                    "AND i.patch = m.patch AND i.hlc = m.hlc"), ==, 4 + 2 - 1);
  g_assert_cmpint (store_query_int (reference,
                                    "SELECT count(*) FROM imported.audit_log i JOIN main.audit_log m ON m.row_id = i.row_id AND m.action = 'insert' "
                                    "WHERE i.action = 'insert' AND i.table_name = m.table_name AND i.after = m.after "
                                    "AND i.before IS NULL AND m.before IS NULL AND i.hlc = m.hlc "
                                    "AND i.user_id IS m.user_id AND i.device IS m.device"), ==, 4 + 2 - 1);
  g_assert_cmpint (store_query_int (reference, "SELECT count(*) FROM imported.audit_log WHERE action = 'update'"), ==, 1);
  /* And the same search rows as the triggers write. */
  {
    static const char * const tables[][2] = {
      { "(SELECT rowid, name, pinyin, initials, emails, phones, organization, tags FROM main.contact_fts)",
        "(SELECT rowid, name, pinyin, initials, emails, phones, organization, tags FROM imported.contact_fts)" },
      { "main.contact_search_keys", "imported.contact_search_keys" },
      { "main.contact_search_fields", "imported.contact_search_fields" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
      {
        const char *m = tables[i][0], *im = tables[i][1];
        g_autofree char *missing = g_strconcat ("SELECT count(*) FROM (SELECT * FROM ", m, " EXCEPT SELECT * FROM ", im, ")", NULL);
        g_autofree char *extra = g_strconcat ("SELECT count(*) FROM (SELECT * FROM ", im, " EXCEPT SELECT * FROM ", m, ")", NULL);
        g_autofree char *rows = g_strconcat ("SELECT count(*) FROM ", im, NULL);

        g_assert_cmpint (store_query_int (reference, rows), >, 0);
        g_assert_cmpint (store_query_int (reference, missing), ==, 0);
        g_assert_cmpint (store_query_int (reference, extra), ==, 0);
      }
  }
  sqlite3_exec (db, "DETACH imported", NULL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/contact-importer/gb18030", test_gb18030);
  STORE_TEST ("/contact-importer/reimport-merges", test_reimport_merges);
  STORE_TEST ("/contact-importer/dry-run", test_dry_run);
  STORE_TEST ("/contact-importer/undo", test_undo);
  STORE_TEST ("/contact-importer/update-by-external-id", test_update_by_external_id);
  STORE_TEST ("/contact-importer/errors-file", test_errors_file);
  STORE_TEST ("/contact-importer/cp1252-semicolons", test_cp1252_semicolons);
  STORE_TEST ("/contact-importer/multiline", test_multiline);
  STORE_TEST ("/contact-importer/bad-rows-keep-data", test_bad_rows_keep_data);
  STORE_TEST ("/contact-importer/mapping-template", test_mapping_template);
  STORE_TEST ("/contact-importer/cancel", test_cancel);
  STORE_TEST ("/contact-importer/broken-encoding-fails-run", test_broken_encoding_fails_run);
  STORE_TEST ("/contact-importer/vcards", test_vcards);
  STORE_TEST ("/contact-importer/outbox-like-triggers", test_outbox_like_triggers);

  return g_test_run ();
}
