/* test-csv-reader.c: RFC 4180 parsing, line ends, encodings, delimiters and limits */

#include <gio/gio.h>
#include <string.h>

#include "crm-csv-reader.h"
#include "crm-import-error.h"

static CrmCsvReader *
reader_for (const char *data,
            gssize      length,
            const char *encoding)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  CrmCsvReader *reader;

  if (length < 0)
    length = (gssize) strlen (data);
  in = g_memory_input_stream_new_from_data (g_memdup2 (data, (gsize) length), length, g_free);
  reader = crm_csv_reader_new (in, encoding, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reader);
  return reader;
}

/* All rows of @reader as "a|b|c" strings, bad rows as "!CODE@ROW". */
static char *
read_all (CrmCsvReader *reader)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      CrmCsvReadResult result = crm_csv_reader_read_row (reader, NULL, &error);

      if (result == CRM_CSV_READ_END)
        break;
      g_assert_cmpint (result, !=, CRM_CSV_READ_FAILED);
      if (out->len > 0)
        g_string_append_c (out, '\n');
      if (result == CRM_CSV_READ_BAD_ROW)
        {
          g_assert_error (error, CRM_IMPORT_ERROR, error->code);
          g_string_append_printf (out, "!%d@%" G_GUINT64_FORMAT, error->code,
                                  crm_csv_reader_get_row_number (reader));
          continue;
        }
      g_assert_no_error (error);
      for (guint i = 0; i < crm_csv_reader_get_n_fields (reader); i++)
        g_string_append_printf (out, "%s%s", i ? "|" : "", crm_csv_reader_get_field (reader, i));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check_parse (const char *input,
             const char *expected)
{
  g_autoptr(CrmCsvReader) reader = reader_for (input, -1, NULL);
  g_autofree char *got = read_all (reader);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_rfc4180 (void)
{
  check_parse ("a,b,c\n1,2,3\n", "a|b|c\n1|2|3");
  check_parse ("a,b,c\r\n1,2,3", "a|b|c\n1|2|3");              /* no final newline */
  check_parse ("a,b\r1,2\r", "a|b\n1|2");                       /* old Mac CR */
  check_parse ("a,b\r\n1,2\n3,4\r5,6", "a|b\n1|2\n3|4\n5|6");   /* mixed */
  check_parse ("\"x,y\",\"say \"\"hi\"\"\"\n", "x,y|say \"hi\"");
  check_parse ("\"line1\nline2\",z\n", "line1\nline2|z");
  check_parse ("\"a\r\nb\",c\r\n", "a\r\nb|c");
  check_parse (",,\n", "||");                                    /* empty fields */
  check_parse ("a,\"\",b\n", "a||b");
  check_parse ("a,b\n\n\nc,d\n", "a|b\nc|d");                    /* blank lines skipped */
  check_parse ("5\" screen,ok\n", "5\" screen|ok");              /* stray quote kept */
  check_parse ("\"abc\"def,x\n", "abcdef|x");
  check_parse ("", "");
}

static void
test_row_numbers (void)
{
  g_autoptr(CrmCsvReader) reader = reader_for ("h\n\n\"a\nb\"\nc\n", -1, NULL);

  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpuint (crm_csv_reader_get_row_number (reader), ==, 1);
  /* The blank line is row 2 as a spreadsheet counts it. */
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpuint (crm_csv_reader_get_row_number (reader), ==, 3);
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpuint (crm_csv_reader_get_row_number (reader), ==, 4);
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_END);
}

static void
test_delimiters (void)
{
  struct { const char *input; char delimiter; } cases[] = {
    { "a;b;c\n1;2,5;3\n", ';' },
    { "a\tb\tc\n1\t2\t3\n", '\t' },
    { "a,b,c\n1,2,3\n", ',' },
    { "\"x;y\",b\n1,2\n", ',' },   /* a semicolon inside quotes does not count */
    { "single\nrow\n", ',' },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CrmCsvReader) reader = reader_for (cases[i].input, -1, NULL);

      g_assert_cmpint (crm_csv_reader_get_delimiter (reader), ==, cases[i].delimiter);
    }
}

static void
test_chunk_boundaries (void)
{
  /* Rows that straddle the 64 KiB read size, with CRLF split across it. */
  g_autoptr(GString) input = g_string_new ("name,notes\r\n");
  g_autoptr(GString) expected = g_string_new ("name|notes");
  g_autoptr(CrmCsvReader) reader = NULL;
  g_autofree char *got = NULL;

  for (guint i = 0; i < 5000; i++)
    {
      g_string_append_printf (input, "n%u,\"x\"\"%u\r\ny\"\r\n", i, i);
      g_string_append_printf (expected, "\nn%u|x\"%u\r\ny", i, i);
    }
  reader = reader_for (input->str, (gssize) input->len, NULL);
  got = read_all (reader);
  g_assert_cmpstr (got, ==, expected->str);
}

static void
test_limits (void)
{
  g_autoptr(CrmCsvReader) reader = reader_for ("a,b\n1,2,3,4\nlooooong,x\n5,6\n\"never closed,7\n8,9\n", -1, NULL);
  g_autofree char *got = NULL;

  crm_csv_reader_set_max_fields (reader, 3);
  crm_csv_reader_set_max_field_length (reader, 5);
  got = read_all (reader);
  /* Each bad row is reported with its number and skipped; the rows after
   * it are read. The unclosed quote swallows the rest of the file, which
   * is reported as such rather than silently imported as one value. */
  g_assert_cmpstr (got, ==,
                   "a|b\n"
                   "!2@2\n"
                   "!1@3\n"
                   "5|6\n"
                   "!3@5");
}

static void
test_unterminated_quote (void)
{
  g_autoptr(CrmCsvReader) reader = reader_for ("a,b\n1,\"open\n", -1, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, &error), ==, CRM_CSV_READ_BAD_ROW);
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_UNTERMINATED_QUOTE);
  g_assert_cmpstr (error->message, ==,
                   "Row 2: a quoted field is not closed before the end of the file, so the row was skipped. Add the missing quote.");
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_END);
}

static void
test_invalid_utf8_row (void)
{
  /* Mostly UTF-8, one row pasted from a GBK file: that row is reported,
   * the others are read. */
  g_autoptr(GString) input = g_string_new ("姓名,电话\n张三,1\n");
  g_autoptr(CrmCsvReader) reader = NULL;
  g_autofree char *got = NULL;

  /* Past the 64 KiB that decide the encoding. */
  for (guint i = 0; i < 10000; i++)
    g_string_append (input, "某某,2\n");
  g_string_append (input, "\xd5\xc5\xc8\xfd,3\n李四,4\n");
  reader = reader_for (input->str, (gssize) input->len, NULL);
  g_assert_cmpstr (crm_csv_reader_get_encoding (reader), ==, "UTF-8");
  got = read_all (reader);
  g_assert_true (g_str_has_suffix (got, "某某|2\n!0@10003\n李四|4"));
}

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

static void
test_fixture_gb18030 (void)
{
  g_autofree char *path = fixture_path ("customers-gb18030.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCsvReader) reader = crm_csv_reader_new_for_path (path, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (crm_csv_reader_get_encoding (reader), ==, "GB18030");
  g_assert_cmpint (crm_csv_reader_get_delimiter (reader), ==, ',');
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpstr (crm_csv_reader_get_field (reader, 1), ==, "姓名");
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpstr (crm_csv_reader_get_field (reader, 1), ==, "张三");
  g_assert_cmpstr (crm_csv_reader_get_field (reader, 10), ==, "VIP,老客户");
  g_assert_cmpuint (crm_csv_reader_get_size (reader), >, 0);
}

static void
test_fixture_cp1252 (void)
{
  g_autofree char *path = fixture_path ("contacts-semicolon-cp1252.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCsvReader) reader = crm_csv_reader_new_for_path (path, NULL, NULL, &error);
  g_autofree char *got = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (crm_csv_reader_get_encoding (reader), ==, "WINDOWS-1252");
  g_assert_cmpint (crm_csv_reader_get_delimiter (reader), ==, ';');
  got = read_all (reader);
  g_assert_nonnull (strstr (got, "Jürgen|Müller|"));
  g_assert_nonnull (strstr (got, "|Kunde seit 1999; bevorzugt Brief"));
  g_assert_nonnull (strstr (got, "Chloé|Dubois|"));
}

static void
test_fixture_forced_encoding (void)
{
  /* Forcing the wrong encoding on GB18030 bytes fails clearly instead of
   * importing garbage. */
  g_autofree char *path = fixture_path ("customers-gb18030.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCsvReader) reader = crm_csv_reader_new_for_path (path, "utf-8", NULL, &error);
  g_autoptr(GError) row_error = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, &row_error), ==, CRM_CSV_READ_BAD_ROW);
  g_assert_error (row_error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING);

  g_clear_object (&reader);
  reader = crm_csv_reader_new_for_path (path, "gbk", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_csv_reader_get_encoding (reader), ==, "GB18030");
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpstr (crm_csv_reader_get_field (reader, 1), ==, "姓名");

  g_clear_object (&reader);
  reader = crm_csv_reader_new_for_path (path, "klingon", NULL, &error);
  g_assert_null (reader);
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING);
}

static void
test_fixture_multiline (void)
{
  g_autofree char *path = fixture_path ("contacts-multiline.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCsvReader) reader = crm_csv_reader_new_for_path (path, NULL, NULL, &error);
  g_autofree char *got = NULL;

  g_assert_no_error (error);
  got = read_all (reader);
  /* The BOM is not part of the first header. */
  g_assert_cmpstr (got, ==,
                   "Name|Phone|Email|Address|Notes\n"
                   "Smith, John|13800000001|john@example.com|12 High Street\nFlat 3\nLondon|He said \"call me\nafter 5pm\"\n"
                   "王小明|13800000002||上海市\n浦东新区|\n"
                   "O'Brien, Mary|13800000003|mary@example.ie||Tabs\tand, commas");
}

static void
test_fixture_utf16 (void)
{
  g_autofree char *path = fixture_path ("contacts-utf16.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCsvReader) reader = crm_csv_reader_new_for_path (path, NULL, NULL, &error);
  g_autofree char *got = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (crm_csv_reader_get_encoding (reader), ==, "UTF-16LE");
  got = read_all (reader);
  g_assert_cmpstr (got, ==, "姓名|手机|邮箱\n陈一|13100131000|chen@example.com\n林二|13200132000|");
}

static void
test_truncated_gb18030 (void)
{
  /* The file ends in the middle of a two-byte character. */
  g_autoptr(GError) error = NULL;
  const char data[] = "\xd0\xd5\xc3\xfb,\xb5\xe7\xbb\xb0\n\xd5\xc5\xc8\xfd,1\n\xc0\xee\xcb";
  g_autoptr(CrmCsvReader) reader = reader_for (data, sizeof data - 1, NULL);

  g_assert_cmpstr (crm_csv_reader_get_encoding (reader), ==, "GB18030");
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpstr (crm_csv_reader_get_field (reader, 0), ==, "姓名");
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, NULL), ==, CRM_CSV_READ_ROW);
  g_assert_cmpstr (crm_csv_reader_get_field (reader, 0), ==, "张三");
  /* The cut character is an error, not a silently shortened name. */
  g_assert_cmpint (crm_csv_reader_read_row (reader, NULL, &error), ==, CRM_CSV_READ_FAILED);
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING);
}

static void
test_cancel (void)
{
  g_autoptr(CrmCsvReader) reader = reader_for ("a,b\n1,2\n", -1, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_cmpint (crm_csv_reader_read_row (reader, cancellable, &error), ==, CRM_CSV_READ_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv-reader/rfc4180", test_rfc4180);
  g_test_add_func ("/csv-reader/row-numbers", test_row_numbers);
  g_test_add_func ("/csv-reader/delimiters", test_delimiters);
  g_test_add_func ("/csv-reader/chunk-boundaries", test_chunk_boundaries);
  g_test_add_func ("/csv-reader/limits", test_limits);
  g_test_add_func ("/csv-reader/unterminated-quote", test_unterminated_quote);
  g_test_add_func ("/csv-reader/invalid-utf8-row", test_invalid_utf8_row);
  g_test_add_func ("/csv-reader/fixture-gb18030", test_fixture_gb18030);
  g_test_add_func ("/csv-reader/fixture-cp1252", test_fixture_cp1252);
  g_test_add_func ("/csv-reader/fixture-forced-encoding", test_fixture_forced_encoding);
  g_test_add_func ("/csv-reader/fixture-multiline", test_fixture_multiline);
  g_test_add_func ("/csv-reader/fixture-utf16", test_fixture_utf16);
  g_test_add_func ("/csv-reader/truncated-gb18030", test_truncated_gb18030);
  g_test_add_func ("/csv-reader/cancel", test_cancel);

  return g_test_run ();
}
