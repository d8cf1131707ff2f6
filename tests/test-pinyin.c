/* test-pinyin.c: pinyin readings, initials and sort order of names */

#include <string.h>

#include "crm-pinyin.h"

typedef struct
{
  const char *text;
  const char *full;
  const char *initials;
} Case;

static void
check_cases (const Case *cases,
             gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *full = crm_pinyin_full (cases[i].text);
      g_autofree char *initials = crm_pinyin_initials (cases[i].text);

      g_test_message ("%s → %s / %s", cases[i].text, full, initials);
      g_assert_cmpstr (full, ==, cases[i].full);
      g_assert_cmpstr (initials, ==, cases[i].initials);
    }
}

static void
test_pinyin_common_names (void)
{
  static const Case cases[] = {
    { "张三丰", "zhangsanfeng", "zsf" },
    { "王小明", "wangxiaoming", "wxm" },
    { "李娜", "lina", "ln" },
    { "刘德华", "liudehua", "ldh" },
    { "陈静", "chenjing", "cj" },
    { "欧阳娜娜", "ouyangnana", "oynn" },
    { "诸葛亮", "zhugeliang", "zgl" },
    { "长孙无忌", "zhangsunwuji", "zswj" },
    { "  张三  ", "zhangsan", "zs" },
    { "张 三", "zhangsan", "zs" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_pinyin_surnames (void)
{
  static const Case cases[] = {
    { "单田芳", "shantianfang", "stf" },
    { "曾国藩", "zengguofan", "zgf" },
    { "解缙", "xiejin", "xj" },
    { "区志坚", "ouzhijian", "ozj" },
    { "仇英", "qiuying", "qy" },
    { "朴槿惠", "piaojinhui", "pjh" },
    { "查良镛", "zhaliangyong", "zly" },
    { "覃海", "qinhai", "qh" },
    { "尉迟恭", "yuchigong", "ycg" },
    { "尉迟敬德", "yuchijingde", "ycjd" },
    { "万俟卨", "moqixie", "mqx" },
    { "翟志刚", "zhaizhigang", "zzg" },
    { "曾", "zeng", "z" },
    /* Only the first character of a name is a surname. */
    { "王曾", "wangceng", "wc" },
    /* A long run of characters is not a name: 曾经 keeps its word reading. */
    { "曾经沧海难为水", "cengjingcanghainanweishui", "cjchnws" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_pinyin_organizations (void)
{
  g_autofree char *as_name = NULL;
  g_autofree char *full = NULL;
  g_autofree char *initials = NULL;
  g_autofree char *reading = NULL;

  /* Without CRM_PINYIN_PERSON_NAME the first character keeps its common
   * reading; read as a name it would be the surname Xie. */
  crm_pinyin_convert ("解放日报", CRM_PINYIN_FLAGS_NONE, &full, &initials);
  g_assert_cmpstr (full, ==, "jiefangribao");
  g_assert_cmpstr (initials, ==, "jfrb");
  as_name = crm_pinyin_full ("解放日报");
  g_assert_cmpstr (as_name, ==, "xiefangribao");

  reading = crm_pinyin_reading ("上海华信贸易有限公司", CRM_PINYIN_FLAGS_NONE);
  g_assert_cmpstr (reading, ==, "shang hai hua xin mao yi you xian gong si");
}

static void
test_pinyin_words (void)
{
  static const struct
  {
    const char *text;
    const char *reading;
  } cases[] = {
    /* ICU alone reads these zhang sha, xia men, yin xing, zhang jiang. */
    { "长沙", "chang sha" },
    { "长沙市恒通贸易有限公司", "chang sha shi heng tong mao yi you xian gong si" },
    { "厦门", "xia men" },
    { "招商银行厦门分行", "zhao shang yin hang xia men fen hang" },
    { "长江长城", "chang jiang chang cheng" },
    /* Elsewhere 长 keeps ICU's reading. */
    { "校长", "xiao zhang" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reading = crm_pinyin_reading (cases[i].text, CRM_PINYIN_FLAGS_NONE);

      g_assert_cmpstr (reading, ==, cases[i].reading);
    }

  /* In a person's name after the surname too: 王长江 is Wang Changjiang. */
  {
    g_autofree char *full = crm_pinyin_full ("王长江");

    g_assert_cmpstr (full, ==, "wangchangjiang");
  }
}

static void
test_pinyin_latin (void)
{
  static const Case cases[] = {
    { "John Smith", "johnsmith", "js" },
    { "Zoë Smith", "zoesmith", "zs" },
    { "ZOË SMITH", "zoesmith", "zs" },
    { "Mary-Jane Watson", "maryjanewatson", "mjw" },
    { "Seán O'Brien", "seanobrien", "so" },
    { "Jürgen Weiß", "jurgenweiss", "jw" },
    { "Ægir", "aegir", "a" },
    { "Иван Петров", "ivanpetrov", "ip" },
    { "ＡＢＣ Ltd", "abcltd", "al" },
    { "3M China", "3mchina", "3c" },
    { "acme@example.com", "acmeexamplecom", "aec" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_pinyin_mixed (void)
{
  static const Case cases[] = {
    { "李Lee", "lilee", "ll" },
    { "Lee李", "leeli", "ll" },
    { "张三 Zhang San", "zhangsanzhangsan", "zszs" },
    { "约翰·史密斯", "yuehanshimisi", "yhsms" },
    { "王5", "wang5", "w5" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_pinyin_empty (void)
{
  static const Case cases[] = {
    { "", "", "" },
    { "   ", "", "" },
    { "·—!?", "", "" },
    { "😀", "", "" },
  };
  g_autofree char *full = crm_pinyin_full (NULL);
  g_autofree char *initials = crm_pinyin_initials (NULL);
  g_autofree char *key = crm_pinyin_sort_key (NULL);

  check_cases (cases, G_N_ELEMENTS (cases));
  g_assert_cmpstr (full, ==, "");
  g_assert_cmpstr (initials, ==, "");
  g_assert_nonnull (key);
}

static void
test_pinyin_invalid_utf8 (void)
{
  static const char *inputs[] = {
    "\xff\xfe",
    "abc\xff" "def",
    "张\xe4\xb8",           /* truncated second character */
    "\xc0\xaf",             /* overlong "/" */
    "\xed\xa0\x80",         /* a lone surrogate */
  };
  g_autofree char *full = NULL;
  g_autofree char *mixed = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *f = crm_pinyin_full (inputs[i]);
      g_autofree char *n = crm_pinyin_initials (inputs[i]);
      g_autofree char *k = crm_pinyin_sort_key (inputs[i]);

      /* Whatever is left is plain lowercase ASCII. */
      for (const char *p = f; *p != '\0'; p++)
        g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p));
      g_assert_cmpuint (strlen (n), <=, strlen (f));
      g_assert_nonnull (k);
    }

  /* The valid parts are still read. */
  full = crm_pinyin_full ("abc\xff" "def");
  g_assert_cmpstr (full, ==, "abcdef");
  mixed = crm_pinyin_full ("张\xe4\xb8");
  g_assert_cmpstr (mixed, ==, "zhang");
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return crm_pinyin_compare (*(const char * const *) a, *(const char * const *) b);
}

static void
assert_sorted (const char * const *expected,
               gsize                n)
{
  g_autoptr(GPtrArray) shuffled = g_ptr_array_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  /* Sorting a shuffled copy must restore the expected order, and the keys
   * must agree with crm_pinyin_compare() byte by byte. */
  for (gsize i = 0; i < n; i++)
    g_ptr_array_add (shuffled, (gpointer) expected[i]);
  for (guint i = shuffled->len - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      gpointer tmp = shuffled->pdata[i];

      shuffled->pdata[i] = shuffled->pdata[j];
      shuffled->pdata[j] = tmp;
    }
  g_ptr_array_sort (shuffled, compare_names);

  for (gsize i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (shuffled, i), ==, expected[i]);

  for (gsize i = 0; i + 1 < n; i++)
    {
      g_autofree char *a = crm_pinyin_sort_key (expected[i]);
      g_autofree char *b = crm_pinyin_sort_key (expected[i + 1]);

      g_assert_cmpint (strcmp (a, b), <, 0);
    }
}

static void
test_pinyin_sort_order (void)
{
  static const char * const chinese[] = {
    "阿姨", "白云", "陈静", "李明", "梁朝伟", "王五", "张三", "张三丰", "赵六",
  };
  /* 曾 files under Z as the surname Zeng, not under C. */
  static const char * const surnames[] = {
    "陈静", "曾国藩", "张三",
  };
  /* Latin and Chinese names are filed together by letter. */
  static const char * const mixed[] = {
    "阿姨", "安娜", "Anna", "白云", "bob", "Bob", "张三", "Zoe",
  };

  assert_sorted (chinese, G_N_ELEMENTS (chinese));
  assert_sorted (surnames, G_N_ELEMENTS (surnames));
  assert_sorted (mixed, G_N_ELEMENTS (mixed));
}

static void
test_pinyin_sort_key_bytes (void)
{
  g_autofree char *a = crm_pinyin_sort_key ("张三");
  g_autofree char *b = crm_pinyin_sort_key ("张三");
  g_autofree char *c = crm_pinyin_sort_key ("章三");

  /* Equal text, equal key; homophones get different keys. */
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpuint (strlen (a), >, 4);
}

typedef struct
{
  const char *name;
  const char *full;
} ThreadCase;

static gpointer
convert_in_thread (gpointer data)
{
  const ThreadCase *tc = data;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *full = crm_pinyin_full (tc->name);

      if (g_strcmp0 (full, tc->full) != 0)
        return GINT_TO_POINTER (FALSE);
    }

  return GINT_TO_POINTER (TRUE);
}

static void
test_pinyin_threads (void)
{
  static const ThreadCase cases[] = {
    { "张三丰", "zhangsanfeng" }, { "曾国藩", "zengguofan" },
    { "Zoë Smith", "zoesmith" }, { "Иван", "ivan" },
    { "欧阳娜娜", "ouyangnana" }, { "李Lee", "lilee" },
  };
  GThread *threads[G_N_ELEMENTS (cases)];

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    threads[i] = g_thread_new ("pinyin", convert_in_thread, (gpointer) &cases[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pinyin/common-names", test_pinyin_common_names);
  g_test_add_func ("/pinyin/surnames", test_pinyin_surnames);
  g_test_add_func ("/pinyin/organizations", test_pinyin_organizations);
  g_test_add_func ("/pinyin/words", test_pinyin_words);
  g_test_add_func ("/pinyin/latin", test_pinyin_latin);
  g_test_add_func ("/pinyin/mixed", test_pinyin_mixed);
  g_test_add_func ("/pinyin/empty", test_pinyin_empty);
  g_test_add_func ("/pinyin/invalid-utf8", test_pinyin_invalid_utf8);
  g_test_add_func ("/pinyin/sort-order", test_pinyin_sort_order);
  g_test_add_func ("/pinyin/sort-key-bytes", test_pinyin_sort_key_bytes);
  g_test_add_func ("/pinyin/threads", test_pinyin_threads);

  return g_test_run ();
}
