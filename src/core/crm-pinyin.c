/* crm-pinyin.c: pinyin readings, initials and sort keys of names through ICU */

#include "config.h"

#include <string.h>

#include <unicode/ucol.h>
#include <unicode/utrans.h>

#include "crm-pinyin.h"

/* Chinese characters go through ICU's Han-Latin, everything else that is
 * not ASCII through Any-Latin (Cyrillic, Greek, kana, Hangul, accented
 * Latin). Latin-ASCII then drops the tone marks and diacritics. Splitting
 * the text into Han and non-Han runs ourselves also puts a word boundary
 * between 李 and Lee in "李Lee", which the initials need, and lets pure
 * ASCII names skip ICU entirely. */
#define HAN_TRANSFORM   "Han-Latin; Latin-ASCII"
#define OTHER_TRANSFORM "Any-Latin; Latin-ASCII"

/* Readings of short runs are cached: given names, surnames and city names
 * repeat a lot, and the same name is usually read several times in a row
 * (pinyin, initials, sort key); a transliteration costs 5–200 µs while a
 * lookup costs well under one. The cache is dropped whole when it grows
 * past this. */
#define CACHE_MAX_ENTRIES 65536
#define CACHE_MAX_BYTES   64

typedef struct
{
  const char      *id;
  gsize            once;
  UTransliterator *trans;   /* NULL when ICU has no data for it */
  GMutex           lock;    /* a UTransliterator is not thread-safe */
  GHashTable      *cache;   /* utf8 run → reading, under lock */
} Transform;

static Transform han_transform = { HAN_TRANSFORM, 0, NULL, { 0 }, NULL };
static Transform other_transform = { OTHER_TRANSFORM, 0, NULL, { 0 }, NULL };

/* ICU reads a character the way it is read most often, which for some
 * surnames is not how the surname is read: 曾 is "ceng" in 曾经 but the
 * surname is Zeng, 单 is "dan" but the surname is Shan. Names are what the
 * CRM sorts and searches by, so a person's name that starts with one of
 * these reads it as the surname. Only characters whose ICU reading differs
 * from the surname reading are listed. */
typedef struct
{
  const char *han;
  const char *reading;   /* NULL: ICU reads it right */
} Surname;

/* Compound surnames are matched first so that 长孙 is not read as the
 * single surname 长 (chang) followed by 孙. */
static const Surname compound_surnames[] = {
  { "欧阳", NULL }, { "司马", NULL }, { "上官", NULL }, { "诸葛", NULL },
  { "东方", NULL }, { "皇甫", NULL }, { "公孙", NULL }, { "慕容", NULL },
  { "令狐", NULL }, { "长孙", NULL }, { "宇文", NULL }, { "司徒", NULL },
  { "司空", NULL }, { "夏侯", NULL }, { "轩辕", NULL }, { "南宫", NULL },
  { "独孤", NULL }, { "西门", NULL }, { "端木", NULL }, { "百里", NULL },
  { "呼延", NULL }, { "东郭", NULL }, { "闻人", NULL }, { "申屠", NULL },
  { "太史", NULL }, { "公冶", NULL }, { "赫连", NULL }, { "钟离", NULL },
  { "濮阳", NULL }, { "淳于", NULL }, { "宗政", NULL }, { "拓跋", NULL },
  { "完颜", NULL }, { "鲜于", NULL }, { "闾丘", NULL }, { "亓官", NULL },
  { "尉迟", "yu chi" },
  { "万俟", "mo qi" },
  { "单于", "chan yu" },
  { "澹台", "tan tai" },
  { "乐正", "yue zheng" },
  { "子车", "zi ju" },
};

static const Surname single_surnames[] = {
  { "单", "shan" },   /* dan */
  { "曾", "zeng" },   /* ceng */
  { "解", "xie" },    /* jie */
  { "区", "ou" },     /* qu */
  { "仇", "qiu" },    /* chou */
  { "朴", "piao" },   /* pu */
  { "查", "zha" },    /* cha */
  { "覃", "qin" },    /* tan */
  { "盖", "ge" },     /* gai */
  { "缪", "miao" },   /* mou */
  { "乐", "yue" },    /* le */
  { "种", "chong" },  /* zhong */
  { "秘", "bi" },     /* mi */
  { "员", "yun" },    /* yuan */
  { "翟", "zhai" },   /* di */
  { "祭", "zhai" },   /* ji */
  { "召", "shao" },   /* zhao */
  { "句", "gou" },    /* ju */
  { "能", "nai" },    /* neng */
  { "薄", "bo" },     /* bao */
  { "卜", "bu" },     /* bo */
  { "藏", "zang" },   /* cang */
  { "隗", "wei" },    /* kui */
  { "繁", "po" },     /* fan */
  { "阚", "kan" },    /* han */
  { "折", "she" },    /* zhe */
  { "洗", "xian" },   /* xi */
  { "重", "chong" },  /* zhong */
  { "长", "chang" },  /* zhang */
  { "黑", "he" },     /* hei */
  { "都", "du" },     /* dou */
  { "乜", "nie" },    /* mie */
  { "便", "pian" },   /* bian */
};

/* ICU reads most characters one at a time, each with its most common
 * reading, so 长 is always "zhang" and 行 always "xing". Customer lists
 * are full of place and company names where that is wrong (长沙 Changsha,
 * 厦门 Xiamen, 银行 yinhang), and people search for them by pinyin. These
 * words are read from this table wherever they appear in a run of Chinese
 * characters; everything else is left to ICU. Only words that ICU gets
 * wrong are listed. */
static const Surname words[] = {
  { "长沙", "chang sha" }, { "长春", "chang chun" }, { "长城", "chang cheng" },
  { "长江", "chang jiang" }, { "长安", "chang an" }, { "长治", "chang zhi" },
  { "长宁", "chang ning" }, { "长兴", "chang xing" }, { "长乐", "chang le" },
  { "长期", "chang qi" }, { "长途", "chang tu" }, { "厦门", "xia men" },
  { "蚌埠", "beng bu" }, { "六安", "lu an" }, { "乐清", "yue qing" },
  { "银行", "yin hang" }, { "行业", "hang ye" }, { "商行", "shang hang" },
  { "车行", "che hang" }, { "分行", "fen hang" }, { "支行", "zhi hang" }, { "会计", "kuai ji" }, { "音乐", "yin yue" },
  { "乐器", "yue qi" },
};

/* A person's name in Chinese is a surname and one or two characters; with a
 * compound surname, up to four. A longer run is not read as a name. */
#define NAME_MAX_CHARS 4

static gsize collator_once;
static UCollator *collator;

static Transform *
transform_get (Transform *t)
{
  if (g_once_init_enter (&t->once))
    {
      UErrorCode status = U_ZERO_ERROR;
      g_autofree gunichar2 *id = g_utf8_to_utf16 (t->id, -1, NULL, NULL, NULL);

      g_mutex_init (&t->lock);
      t->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      t->trans = utrans_openU ((const UChar *) id, -1, UTRANS_FORWARD,
                               NULL, 0, NULL, &status);
      if (U_FAILURE (status))
        {
          g_warning ("Cannot open the ICU transliterator “%s”: %s; "
                     "names will be read without it",
                     t->id, u_errorName (status));
          t->trans = NULL;
        }
      g_once_init_leave (&t->once, 1);
    }

  return t;
}

static char *
transliterate_uncached (UTransliterator *trans,
                        const char      *utf8,
                        gsize            len)
{
  g_autofree gunichar2 *src = NULL;
  glong n_src = 0;
  int32_t capacity;

  src = g_utf8_to_utf16 (utf8, len, NULL, &n_src, NULL);
  if (src == NULL)
    return g_strndup (utf8, len);

  /* A character becomes at most a syllable and a space ("zhuang "); grow
   * and start over in the unlikely case a rule produces more. */
  capacity = n_src * 8 + 16;
  for (guint attempt = 0; attempt < 4; attempt++, capacity *= 4)
    {
      g_autofree UChar *buf = g_new (UChar, capacity);
      UErrorCode status = U_ZERO_ERROR;
      int32_t text_len = n_src;
      int32_t limit = n_src;

      memcpy (buf, src, n_src * sizeof (UChar));
      utrans_transUChars (trans, buf, &text_len, capacity, 0, &limit, &status);
      if (status == U_BUFFER_OVERFLOW_ERROR)
        continue;
      if (U_FAILURE (status))
        break;

      return g_utf16_to_utf8 ((const gunichar2 *) buf, text_len, NULL, NULL, NULL);
    }

  return g_strndup (utf8, len);
}

/* Returns the Latin reading of @len bytes of valid UTF-8 at @utf8. */
static char *
transliterate (Transform  *t,
               const char *utf8,
               gsize       len)
{
  g_autofree char *key = NULL;
  char *result = NULL;
  const char *cached;

  t = transform_get (t);
  key = g_strndup (utf8, len);
  if (t->trans == NULL)
    return g_str_to_ascii (key, "C");

  g_mutex_lock (&t->lock);
  cached = g_hash_table_lookup (t->cache, key);
  if (cached != NULL)
    result = g_strdup (cached);
  else
    {
      result = transliterate_uncached (t->trans, utf8, len);
      if (len <= CACHE_MAX_BYTES)
        {
          if (g_hash_table_size (t->cache) >= CACHE_MAX_ENTRIES)
            g_hash_table_remove_all (t->cache);
          g_hash_table_insert (t->cache, g_steal_pointer (&key), g_strdup (result));
        }
    }
  g_mutex_unlock (&t->lock);

  return result;
}

static gboolean
is_han (gunichar c)
{
  return g_unichar_get_script (c) == G_UNICODE_SCRIPT_HAN;
}

static const Surname *
find_surname (const Surname *table,
              gsize          n_table,
              const char    *text)
{
  for (gsize i = 0; i < n_table; i++)
    if (g_str_has_prefix (text, table[i].han))
      return &table[i];

  return NULL;
}

/* Appends the reading of @len bytes of Chinese characters to @out: the
 * words of the table as listed, the stretches between them through ICU. */
static void
append_han_words (GString    *out,
                  const char *run,
                  gsize       len)
{
  const char *end = run + len;
  const char *plain = run;
  const char *p = run;

  while (p < end)
    {
      const Surname *word = NULL;

      for (gsize i = 0; i < G_N_ELEMENTS (words) && word == NULL; i++)
        {
          gsize n = strlen (words[i].han);

          if (n <= (gsize) (end - p) && memcmp (p, words[i].han, n) == 0)
            word = &words[i];
        }

      if (word == NULL)
        {
          p = g_utf8_next_char (p);
          continue;
        }

      if (plain < p)
        {
          g_autofree char *r = transliterate (&han_transform, plain, p - plain);

          g_string_append (out, r);
          g_string_append_c (out, ' ');
        }
      g_string_append (out, word->reading);
      g_string_append_c (out, ' ');
      p += strlen (word->han);
      plain = p;
    }

  if (plain < end)
    {
      g_autofree char *r = transliterate (&han_transform, plain, end - plain);

      g_string_append (out, r);
    }
}

/* Appends the reading of a run of Chinese characters at @run (@len bytes,
 * @n_chars characters) to @out. */
static void
append_han_run (GString        *out,
                const char     *run,
                gsize           len,
                glong           n_chars,
                gboolean        at_name_start,
                CrmPinyinFlags  flags)
{
  if (at_name_start && (flags & CRM_PINYIN_PERSON_NAME) != 0)
    {
      const Surname *surname;
      const char *surname_reading = NULL;
      gsize surname_len;
      glong max_chars = NAME_MAX_CHARS;

      surname = find_surname (compound_surnames, G_N_ELEMENTS (compound_surnames), run);
      if (surname != NULL)
        max_chars = NAME_MAX_CHARS + 1;
      else
        surname = find_surname (single_surnames, G_N_ELEMENTS (single_surnames), run);

      if (surname != NULL)
        {
          surname_len = strlen (surname->han);
          surname_reading = surname->reading;
        }
      else
        surname_len = g_utf8_next_char (run) - run;

      if (n_chars <= max_chars)
        {
          /* The surname and the given name are read on their own: no word
           * spans them, and both halves then hit the cache (a list of a
           * million names has a few thousand given names). */
          if (surname_reading != NULL)
            g_string_append (out, surname_reading);
          else
            {
              g_autofree char *r = transliterate (&han_transform, run, surname_len);
              g_string_append (out, r);
            }
          g_string_append_c (out, ' ');
          if (surname_len < len)
            append_han_words (out, run + surname_len, len - surname_len);
          return;
        }
    }

  append_han_words (out, run, len);
}

/* Turns ICU's output into lowercase ASCII words of letters and digits
 * separated by one space. An apostrophe inside a word ("O'Brien") joins;
 * anything else that is not a letter or digit separates. */
static char *
normalize_words (const char *raw)
{
  GString *out = g_string_sized_new (strlen (raw));
  gboolean in_word = FALSE;

  for (const char *p = raw; *p != '\0'; p++)
    {
      char c = *p;

      if (g_ascii_isalnum (c))
        {
          if (!in_word && out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append_c (out, g_ascii_tolower (c));
          in_word = TRUE;
        }
      else if (c == '\'' && in_word && g_ascii_isalnum (p[1]))
        continue;
      else
        in_word = FALSE;
    }

  return g_string_free (out, FALSE);
}

char *
crm_pinyin_reading (const char     *utf8,
                    CrmPinyinFlags  flags)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) raw = NULL;
  const char *p;
  gboolean at_start = TRUE;

  if (utf8 == NULL)
    return g_strdup ("");

  if (!g_utf8_validate (utf8, -1, NULL))
    utf8 = valid = g_utf8_make_valid (utf8, -1);

  raw = g_string_sized_new (strlen (utf8) * 2);
  p = utf8;
  while (*p != '\0')
    {
      const char *run = p;
      gboolean han = is_han (g_utf8_get_char (p));
      gboolean ascii = TRUE;
      glong n_chars = 0;

      while (*p != '\0' && is_han (g_utf8_get_char (p)) == han)
        {
          if ((guchar) *p >= 0x80)
            ascii = FALSE;
          p = g_utf8_next_char (p);
          n_chars++;
        }

      if (han)
        {
          g_string_append_c (raw, ' ');
          append_han_run (raw, run, p - run, n_chars, at_start, flags);
          g_string_append_c (raw, ' ');
          at_start = FALSE;
        }
      else if (ascii)
        {
          g_string_append_len (raw, run, p - run);
          /* Leading spaces do not make a name stop being a name. */
          for (const char *q = run; q < p; q++)
            if (!g_ascii_isspace (*q))
              at_start = FALSE;
        }
      else
        {
          g_autofree char *reading = transliterate (&other_transform, run, p - run);
          g_string_append (raw, reading);
          at_start = FALSE;
        }
    }

  return normalize_words (raw->str);
}

void
crm_pinyin_convert (const char      *utf8,
                    CrmPinyinFlags   flags,
                    char           **out_full,
                    char           **out_initials)
{
  g_autofree char *reading = crm_pinyin_reading (utf8, flags);

  if (out_full != NULL)
    {
      char *full = g_malloc (strlen (reading) + 1);
      char *q = full;

      for (const char *p = reading; *p != '\0'; p++)
        if (*p != ' ')
          *q++ = *p;
      *q = '\0';
      *out_full = full;
    }

  if (out_initials != NULL)
    {
      char *initials = g_malloc (strlen (reading) + 1);
      char *q = initials;

      for (const char *p = reading; *p != '\0'; p++)
        if (p == reading || p[-1] == ' ')
          *q++ = *p;
      *q = '\0';
      *out_initials = initials;
    }
}

char *
crm_pinyin_full (const char *utf8)
{
  char *full = NULL;

  crm_pinyin_convert (utf8, CRM_PINYIN_PERSON_NAME, &full, NULL);
  return full;
}

char *
crm_pinyin_initials (const char *utf8)
{
  char *initials = NULL;

  crm_pinyin_convert (utf8, CRM_PINYIN_PERSON_NAME, NULL, &initials);
  return initials;
}

static UCollator *
collator_get (void)
{
  if (g_once_init_enter (&collator_once))
    {
      UErrorCode status = U_ZERO_ERROR;

      /* "zh" is pinyin order; ICU's collators are thread-safe to use. */
      collator = ucol_open ("zh", &status);
      if (U_FAILURE (status))
        {
          g_warning ("Cannot open the ICU collator for “zh”: %s; "
                     "names will sort by their reading only",
                     u_errorName (status));
          collator = NULL;
        }
      g_once_init_leave (&collator_once, 1);
    }

  return collator;
}

/* Appends the collation key of @utf8 (valid UTF-8) to @out, without its
 * terminating NUL. */
static void
append_collation_key (GByteArray *out,
                      UCollator  *coll,
                      const char *utf8)
{
  g_autofree gunichar2 *text = NULL;
  glong n_text = 0;
  guint8 small[256];
  int32_t needed;

  text = g_utf8_to_utf16 (utf8, -1, NULL, &n_text, NULL);
  if (text == NULL)
    return;

  needed = ucol_getSortKey (coll, (const UChar *) text, n_text, small, sizeof small);
  if (needed <= (int32_t) sizeof small)
    g_byte_array_append (out, small, needed - 1);
  else
    {
      g_autofree guint8 *big = g_malloc (needed);

      ucol_getSortKey (coll, (const UChar *) text, n_text, big, needed);
      g_byte_array_append (out, big, needed - 1);
    }
}

/* The zh collation alone files every Latin name after every Chinese one
 * (安娜 … 张三, then Anna … Zoe) and reads 曾 as "ceng"; a contact list is
 * expected to file 安娜 and Anna both under A and 曾 under Z. So the key is
 * the collation key of the reading ("zhang san feng", syllables separated
 * so that li ming < liang as in a dictionary), then a 0x01 byte (the lowest
 * byte a collation key uses, so a shorter reading sorts first), then the
 * collation key of the text, which orders homophones and spellings. */
char *
crm_pinyin_sort_key (const char *utf8)
{
  g_autofree char *valid = NULL;
  g_autofree char *reading = NULL;
  GByteArray *key;
  UCollator *coll;

  if (utf8 == NULL)
    utf8 = "";
  if (!g_utf8_validate (utf8, -1, NULL))
    utf8 = valid = g_utf8_make_valid (utf8, -1);

  reading = crm_pinyin_reading (utf8, CRM_PINYIN_PERSON_NAME);

  coll = collator_get ();
  if (coll == NULL)
    return g_strconcat (reading, "\001", utf8, NULL);

  key = g_byte_array_sized_new (64);
  append_collation_key (key, coll, reading);
  g_byte_array_append (key, (const guint8 *) "\001", 1);
  append_collation_key (key, coll, utf8);
  g_byte_array_append (key, (const guint8 *) "", 1);

  return (char *) g_byte_array_free (key, FALSE);
}

int
crm_pinyin_compare (const char *a,
                    const char *b)
{
  g_autofree char *key_a = crm_pinyin_sort_key (a);
  g_autofree char *key_b = crm_pinyin_sort_key (b);

  return strcmp (key_a, key_b);
}
