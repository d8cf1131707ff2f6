/* crm-dedupe.c: finding contacts that are likely the same person, with a score and reasons */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-dedupe.h"
#include "crm-store-private.h"

/* A number shared by more contacts than this is a switchboard, not a
 * person: only its first contacts are paired. */
#define MAX_GROUP 20
/* Names are compared with this many neighbours in pinyin order. */
#define NAME_WINDOW 30

typedef struct
{
  gint64 rid;
  char *id;
  char *name;
  char *pinyin;
  char *organization_id;
  char *province;
  char *city;
} Info;

static void
info_free (Info *info)
{
  g_free (info->id);
  g_free (info->name);
  g_free (info->pinyin);
  g_free (info->organization_id);
  g_free (info->province);
  g_free (info->city);
  g_free (info);
}

void
crm_duplicate_pair_free (CrmDuplicatePair *pair)
{
  g_free (pair->id_a);
  g_free (pair->id_b);
  g_free (pair->name_a);
  g_free (pair->name_b);
  g_free (pair);
}

guint
crm_dedupe_edit_distance (const char *a,
                          const char *b)
{
  g_autofree gunichar *ua = g_utf8_to_ucs4_fast (a != NULL ? a : "", -1, NULL);
  g_autofree gunichar *ub = g_utf8_to_ucs4_fast (b != NULL ? b : "", -1, NULL);
  glong la = 0, lb = 0;
  g_autofree guint *row = NULL;

  while (ua[la])
    la++;
  while (ub[lb])
    lb++;
  row = g_new (guint, lb + 1);
  for (glong j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (glong i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (glong j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = ua[i - 1] == ub[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

char *
crm_duplicate_reasons_to_string (CrmDuplicateReasons reasons)
{
  static const struct { CrmDuplicateReasons flag; const char *text; } names[] = {
    { CRM_DUPLICATE_SAME_PHONE, N_("same phone") },
    { CRM_DUPLICATE_SAME_EMAIL, N_("same email") },
    { CRM_DUPLICATE_SAME_NAME, N_("same name") },
    { CRM_DUPLICATE_SAME_PINYIN, N_("same pinyin") },
    { CRM_DUPLICATE_SIMILAR_NAME, N_("similar name") },
    { CRM_DUPLICATE_SAME_ORGANIZATION, N_("same organization") },
    { CRM_DUPLICATE_SAME_REGION, N_("same region") },
  };
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (reasons & names[i].flag)
      {
        if (s->len > 0)
          /* Translators: between the reasons two contacts look alike */
          g_string_append (s, _(", "));
        g_string_append (s, _(names[i].text));
      }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static Info *
load_info (CrmStore *store,
           gint64    rid)
{
  static const char sql[] =
    "SELECT id, name, name_pinyin, organization_id, province, city FROM contacts WHERE rid = ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, NULL);
  Info *info;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, rid);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  info = g_new0 (Info, 1);
  info->rid = rid;
  info->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  info->pinyin = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  info->organization_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  info->province = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  info->city = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  return info;
}

static guint64
pair_key (gint64 a,
          gint64 b)
{
  return ((guint64) MIN (a, b) << 32) | (guint64) MAX (a, b);
}

static void
add_reason (GHashTable          *pairs,
            gint64               a,
            gint64               b,
            CrmDuplicateReasons  reason)
{
  guint64 key = pair_key (a, b);
  gpointer old;

  if (a == b)
    return;
  old = g_hash_table_lookup (pairs, &key);
  if (old == NULL)
    {
      guint64 *k = g_new (guint64, 1);

      *k = key;
      g_hash_table_insert (pairs, k, GUINT_TO_POINTER (reason));
    }
  else
    g_hash_table_insert (pairs, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (GPOINTER_TO_UINT (old) | reason));
}

static gboolean
pairs_from_identities (CrmStore    *store,
                       GHashTable  *pairs,
                       GError     **error)
{
  static const char sql[] =
    "SELECT i.kind, group_concat (i.rid) FROM contact_identities i"
    " JOIN contacts c ON c.rid = i.rid AND c.deleted = 0"
    " GROUP BY i.kind, i.value HAVING count (*) > 1";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmDuplicateReasons reason = g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "phone")
                                   ? CRM_DUPLICATE_SAME_PHONE : CRM_DUPLICATE_SAME_EMAIL;
      g_auto(GStrv) rids = g_strsplit ((const char *) sqlite3_column_text (stmt, 1), ",", -1);
      guint n = MIN (g_strv_length (rids), MAX_GROUP);

      for (guint i = 0; i < n; i++)
        for (guint j = i + 1; j < n; j++)
          add_reason (pairs, g_ascii_strtoll (rids[i], NULL, 10), g_ascii_strtoll (rids[j], NULL, 10), reason);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static CrmDuplicateReasons
name_reasons (const char *name_a,
              const char *pinyin_a,
              const char *name_b,
              const char *pinyin_b)
{
  if (g_strcmp0 (name_a, name_b) == 0)
    return CRM_DUPLICATE_SAME_NAME;
  if (pinyin_a != NULL && *pinyin_a != '\0' && g_strcmp0 (pinyin_a, pinyin_b) == 0)
    return CRM_DUPLICATE_SAME_PINYIN;
  /* One character apart means little in a two-character name (张三, 张四). */
  if (g_utf8_strlen (name_a, -1) >= 3 && g_utf8_strlen (name_b, -1) >= 3 &&
      crm_dedupe_edit_distance (name_a, name_b) == 1)
    return CRM_DUPLICATE_SIMILAR_NAME;
  return 0;
}

/* People of one group (an organization, or a province and city), in
 * pinyin order: each is compared with its next neighbours, which is where
 * a same or similar name sorts. */
static gboolean
pairs_from_names (CrmStore      *store,
                  const char    *sql,
                  CrmDuplicateReasons group_reason,
                  GHashTable    *pairs,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) window = g_ptr_array_new_with_free_func ((GDestroyNotify) info_free);
  g_autofree char *group = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *this_group = (const char *) sqlite3_column_text (stmt, 0);
      Info *info = g_new0 (Info, 1);

      if (g_strcmp0 (group, this_group) != 0)
        {
          g_ptr_array_set_size (window, 0);
          g_free (group);
          group = g_strdup (this_group);
          if (g_cancellable_is_cancelled (cancellable))
            break;
        }
      info->rid = sqlite3_column_int64 (stmt, 1);
      info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      info->pinyin = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      for (guint i = 0; i < window->len; i++)
        {
          Info *other = g_ptr_array_index (window, i);
          CrmDuplicateReasons reasons = name_reasons (info->name, info->pinyin, other->name, other->pinyin);

          if (reasons != 0)
            add_reason (pairs, info->rid, other->rid, reasons | group_reason);
        }
      g_ptr_array_add (window, info);
      if (window->len > NAME_WINDOW)
        g_ptr_array_remove_index (window, 0);
    }
  sqlite3_finalize (stmt);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static guint
score_of (CrmDuplicateReasons reasons)
{
  guint score = 0;

  if (reasons & CRM_DUPLICATE_SAME_PHONE)
    score += 60;
  if (reasons & CRM_DUPLICATE_SAME_EMAIL)
    score += 60;
  if (reasons & CRM_DUPLICATE_SAME_NAME)
    score += 30;
  if (reasons & CRM_DUPLICATE_SAME_PINYIN)
    score += 20;
  if (reasons & CRM_DUPLICATE_SIMILAR_NAME)
    score += 15;
  if (reasons & CRM_DUPLICATE_SAME_ORGANIZATION)
    score += 10;
  else if (reasons & CRM_DUPLICATE_SAME_REGION)
    score += 5;
  return MIN (score, 100);
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const CrmDuplicatePair *pa = *(CrmDuplicatePair * const *) a;
  const CrmDuplicatePair *pb = *(CrmDuplicatePair * const *) b;

  if (pa->score != pb->score)
    return pa->score > pb->score ? -1 : 1;
  return strcmp (pa->id_a, pb->id_a) != 0 ? strcmp (pa->id_a, pb->id_a) : strcmp (pa->id_b, pb->id_b);
}

GPtrArray *
crm_dedupe_find (CrmStore      *store,
                 guint          min_score,
                 GCancellable  *cancellable,
                 GError       **error)
{
  static const char by_organization_sql[] =
    "SELECT organization_id, rid, name, name_pinyin FROM contacts"
    " WHERE deleted = 0 AND kind = 'person' AND organization_id IS NOT NULL"
    " ORDER BY organization_id, name_pinyin, rid";
  static const char by_region_sql[] =
    "SELECT province || '/' || coalesce (city, ''), rid, name, name_pinyin FROM contacts"
    " WHERE deleted = 0 AND kind = 'person' AND province IS NOT NULL"
    " ORDER BY province, city, name_pinyin, rid";
  g_autoptr(GHashTable) pairs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_duplicate_pair_free);
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (!pairs_from_identities (store, pairs, error) ||
      !pairs_from_names (store, by_organization_sql, CRM_DUPLICATE_SAME_ORGANIZATION, pairs, cancellable, error) ||
      !pairs_from_names (store, by_region_sql, CRM_DUPLICATE_SAME_REGION, pairs, cancellable, error))
    return NULL;

  g_hash_table_iter_init (&iter, pairs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint64 k = *(guint64 *) key;
      CrmDuplicateReasons reasons = GPOINTER_TO_UINT (value);
      Info *a;
      Info *b;
      CrmDuplicatePair *pair;

      /* Pairs found by phone or email learn here how their names and
       * places compare. */
      a = load_info (store, (gint64) (k >> 32));
      b = load_info (store, (gint64) (k & 0xffffffff));
      if (a == NULL || b == NULL)
        {
          g_clear_pointer (&a, info_free);
          g_clear_pointer (&b, info_free);
          continue;
        }
      reasons |= name_reasons (a->name, a->pinyin, b->name, b->pinyin);
      if (a->organization_id != NULL && g_strcmp0 (a->organization_id, b->organization_id) == 0)
        reasons |= CRM_DUPLICATE_SAME_ORGANIZATION;
      if (a->province != NULL && g_strcmp0 (a->province, b->province) == 0 && g_strcmp0 (a->city, b->city) == 0)
        reasons |= CRM_DUPLICATE_SAME_REGION;

      if (score_of (reasons) >= min_score)
        {
          pair = g_new0 (CrmDuplicatePair, 1);
          pair->id_a = g_steal_pointer (&a->id);
          pair->id_b = g_steal_pointer (&b->id);
          pair->name_a = g_steal_pointer (&a->name);
          pair->name_b = g_steal_pointer (&b->name);
          pair->reasons = reasons;
          pair->score = score_of (reasons);
          g_ptr_array_add (result, pair);
        }
      info_free (a);
      info_free (b);
    }
  g_ptr_array_sort (result, compare_pairs);
  return g_steal_pointer (&result);
}
