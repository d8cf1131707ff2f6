/* crm-pinyin.h: pinyin readings, initials and sort keys of names, for search and sorting */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CrmPinyinFlags:
 * @CRM_PINYIN_FLAGS_NONE: read the text as ordinary words
 * @CRM_PINYIN_PERSON_NAME: the text is a person's name: when it starts with a
 *   short run of Chinese characters, the first one (or two, for compound
 *   surnames such as 尉迟) is read as a surname (单 shan, 曾 zeng, 解 xie…)
 *
 * How to read the text. Organizations should be read without
 * %CRM_PINYIN_PERSON_NAME, or 解放日报 would read “xie fang ri bao”.
 */
typedef enum
{
  CRM_PINYIN_FLAGS_NONE = 0,
  CRM_PINYIN_PERSON_NAME = 1 << 0,
} CrmPinyinFlags;

/* Each function accepts NULL (read as "") and invalid UTF-8 (the invalid
 * bytes are dropped) and returns a newly allocated string. They are
 * thread-safe. The ICU transliterator is opened on first use (about 0.1 s). */

/* "张三丰" → "zhang san feng", "Zoë Smith" → "zoe smith": lowercase ASCII
 * words separated by one space. */
char *crm_pinyin_reading    (const char     *utf8,
                             CrmPinyinFlags  flags);

/* "张三丰" → "zhangsanfeng", "Zoë Smith" → "zoesmith", "李Lee" → "lilee".
 * Reads @utf8 as a person's name (%CRM_PINYIN_PERSON_NAME). */
char *crm_pinyin_full       (const char     *utf8);

/* "张三丰" → "zsf", "John Smith" → "js", "李Lee" → "ll".
 * Reads @utf8 as a person's name (%CRM_PINYIN_PERSON_NAME). */
char *crm_pinyin_initials   (const char     *utf8);

/* Both of the above with explicit @flags, transliterating once. */
void  crm_pinyin_convert    (const char     *utf8,
                             CrmPinyinFlags  flags,
                             char          **out_full,
                             char          **out_initials);

/* A key whose byte order (strcmp/memcmp, SQLite BINARY or a BLOB column) is
 * the order a Chinese user expects in a list of names: by pinyin reading,
 * letter by letter and syllable by syllable, with Latin names filed under
 * their letter next to Chinese ones (Anna next to 安娜), ties broken by
 * the ICU "zh" collation of the text itself. The key is NUL-terminated and
 * contains no other NUL byte. Reads @utf8 as a person's name. */
char *crm_pinyin_sort_key   (const char     *utf8);

/* The order of crm_pinyin_sort_key(), without keeping keys: <0, 0, >0. */
int   crm_pinyin_compare    (const char     *a,
                             const char     *b);

G_END_DECLS
