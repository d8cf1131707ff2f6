/* test-encoding.c: telling UTF-8, UTF-16, GB18030 and Windows-1252 apart */

#include <gio/gio.h>
#include <string.h>

#include "crm-encoding.h"
#include "crm-import-error.h"

static const char *
detect (const char *text,
        const char *charset,
        gsize      *bom)
{
  g_autofree char *bytes = NULL;
  gsize length = 0;

  if (charset == NULL)
    return crm_encoding_detect ((const guint8 *) text, strlen (text), TRUE, bom);
  bytes = g_convert (text, -1, charset, "UTF-8", NULL, &length, NULL);
  g_assert_nonnull (bytes);
  return crm_encoding_detect ((const guint8 *) bytes, length, TRUE, bom);
}

static void
test_detect (void)
{
  gsize bom = 99;

  g_assert_cmpstr (detect ("name,phone\n", NULL, &bom), ==, "UTF-8");
  g_assert_cmpuint (bom, ==, 0);
  g_assert_cmpstr (detect ("\xEF\xBB\xBFname\n", NULL, &bom), ==, "UTF-8");
  g_assert_cmpuint (bom, ==, 3);
  g_assert_cmpstr (detect ("\xFF\xFEn\0a\0", NULL, &bom), ==, "UTF-16LE");
  g_assert_cmpuint (bom, ==, 2);
  g_assert_cmpstr (detect ("\xFE\xFF\0n\0a", NULL, &bom), ==, "UTF-16BE");

  g_assert_cmpstr (detect ("姓名,电话\n张三,13800138000\n", NULL, NULL), ==, "UTF-8");
  g_assert_cmpstr (detect ("姓名,电话\n张三,13800138000\n", "GB18030", NULL), ==, "GB18030");
  g_assert_cmpstr (detect ("客户名称,联系电话,地址\n深圳市腾讯计算机系统有限公司,0755-86013388,深圳市南山区\n", "GBK", NULL), ==, "GB18030");
  /* Accented Latin letters pair up with ASCII ones: not Chinese. */
  g_assert_cmpstr (detect ("Name;Stadt\nJürgen Müller;München\nChloé;Orléans\n", "WINDOWS-1252", NULL), ==, "WINDOWS-1252");
  g_assert_cmpstr (detect ("Société Générale;Zürich;Straße\n", "WINDOWS-1252", NULL), ==, "WINDOWS-1252");
  g_assert_cmpstr (detect ("café,\n", "WINDOWS-1252", NULL), ==, "WINDOWS-1252");
}

static void
test_detect_sample_edge (void)
{
  /* A sample cut inside a UTF-8 character is still UTF-8, unless it is
   * the whole file. */
  const char *text = "名字\n张";
  gsize cut = strlen (text) - 1;

  g_assert_cmpstr (crm_encoding_detect ((const guint8 *) text, cut, FALSE, NULL), ==, "UTF-8");
  g_assert_cmpstr (crm_encoding_detect ((const guint8 *) text, cut, TRUE, NULL), !=, "UTF-8");
}

static void
test_normalize (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "auto", NULL }, { NULL, NULL }, { "utf8", "UTF-8" }, { "UTF-8", "UTF-8" },
    { "gbk", "GB18030" }, { "GB2312", "GB18030" }, { "cp936", "GB18030" },
    { "latin1", "WINDOWS-1252" }, { "iso-8859-1", "WINDOWS-1252" }, { "big5", "BIG5" },
  };
  g_autoptr(GError) error = NULL;
  char *name = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (crm_encoding_normalize_name (cases[i].in, &name, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, cases[i].out);
      g_clear_pointer (&name, g_free);
    }
  g_assert_false (crm_encoding_normalize_name ("no-such-charset", &name, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ENCODING);
  g_assert_null (name);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/encoding/detect", test_detect);
  g_test_add_func ("/encoding/detect-sample-edge", test_detect_sample_edge);
  g_test_add_func ("/encoding/normalize", test_normalize);

  return g_test_run ();
}
