/* crm-deal-products.c: listing, adding, changing and removing the product lines of a deal, each undoable */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-deal-products.h"
#include "crm-deal.h"
#include "crm-store-error.h"
#include "crm-store-private.h"

static const char list_sql[] =
  "SELECT id FROM deal_products WHERE deal_id = ? AND deleted = 0 ORDER BY position, id";
static const char next_position_sql[] =
  "SELECT coalesce (max (position) + 1, 0) FROM deal_products WHERE deal_id = ?";
static const char total_sql[] =
  "SELECT quantity, unit_price FROM deal_products WHERE deal_id = ? AND deleted = 0";
/* Names on deals, then those of the latest purchases: a bounded read of
 * purchases_at_amount instead of a DISTINCT over every purchase. */
static const char suggestions_sql[] =
  "SELECT DISTINCT product FROM ("
  "  SELECT product FROM deal_products WHERE deleted = 0"
  "  UNION ALL"
  "  SELECT product FROM (SELECT product FROM purchases WHERE deleted = 0"
  "                       ORDER BY purchased_at DESC LIMIT 5000))"
  " WHERE ?1 IS NULL OR product LIKE ?1 || '%' ESCAPE '\\'"
  " ORDER BY product LIMIT ?2";

gboolean
crm_deal_product_check (const char  *product,
                        gint64       quantity,
                        gint64       unit_price,
                        GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (product != NULL ? product : ""));

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("A product line needs the name of the product."));
      return FALSE;
    }
  if (quantity < 1)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The quantity of “%s” must be 1 or more."), trimmed);
      return FALSE;
    }
  if (unit_price < 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The unit price of “%s” cannot be negative."), trimmed);
      return FALSE;
    }
  if (crm_deal_product_line_total (quantity, unit_price) < 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The line “%s” comes to more than a deal can hold. Check its quantity and unit price."),
                   trimmed);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
crm_deal_list_products (CrmStore    *store,
                        const char  *deal_id,
                        GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, list_sql, error);
    int rc;

    if (stmt == NULL)
      return NULL;
    crm_stmt_bind_text (stmt, 1, deal_id);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    if (rc != SQLITE_DONE)
      {
        crm_store_take_error (store, rc, error);
        return NULL;
      }
  }
  /* Loaded after the statement is done: crm_store_get has its own. */
  for (guint i = 0; i < ids->len; i++)
    {
      CrmRecord *line = crm_store_get (store, CRM_TYPE_DEAL_PRODUCT, g_ptr_array_index (ids, i), error);

      if (line == NULL)
        return NULL;
      g_ptr_array_add (lines, line);
    }
  return g_steal_pointer (&lines);
}

static gboolean
deal_exists (CrmStore    *store,
             const char  *deal_id,
             GError     **error)
{
  g_autoptr(CrmRecord) deal = NULL;
  g_autoptr(GError) local_error = NULL;

  if (deal_id != NULL)
    deal = crm_store_get (store, CRM_TYPE_DEAL, deal_id, &local_error);
  if (deal == NULL || crm_record_get_deleted (deal))
    {
      if (local_error != NULL && !g_error_matches (local_error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                   _("There is no deal with id “%s”, so it cannot get products. Save the deal first."),
                   deal_id != NULL ? deal_id : "");
      return FALSE;
    }
  return TRUE;
}

char *
crm_deal_add_product (CrmStore      *store,
                      const char    *deal_id,
                      const char    *product,
                      gint64         quantity,
                      gint64         unit_price,
                      CrmChangeSet  *undo,
                      GError       **error)
{
  g_autoptr(CrmDealProduct) line = NULL;
  g_autofree char *trimmed = NULL;
  gint64 position = 0;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (!crm_deal_product_check (product, quantity, unit_price, error) ||
      !deal_exists (store, deal_id, error))
    return NULL;

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, next_position_sql, error);

    if (stmt == NULL)
      return NULL;
    crm_stmt_bind_text (stmt, 1, deal_id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      position = sqlite3_column_int64 (stmt, 0);
  }

  trimmed = g_strstrip (g_strdup (product));
  line = crm_deal_product_new ();
  g_object_set (line, "deal-id", deal_id, "product", trimmed, "quantity", quantity,
                "unit-price", unit_price, "position", position, NULL);
  if (!crm_store_insert (store, CRM_RECORD (line), error))
    return NULL;
  if (undo != NULL)
    crm_change_set_remember_insert (undo, CRM_RECORD (line));
  return g_strdup (crm_record_get_id (CRM_RECORD (line)));
}

gboolean
crm_deal_update_product (CrmStore      *store,
                         const char    *line_id,
                         const char    *product,
                         gint64         quantity,
                         gint64         unit_price,
                         CrmChangeSet  *undo,
                         GError       **error)
{
  static const char * const fields[] = { "product", "quantity", "unit_price", NULL };
  g_autoptr(CrmRecord) line = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  if (!crm_deal_product_check (product, quantity, unit_price, error))
    return FALSE;
  line = crm_store_get (store, CRM_TYPE_DEAL_PRODUCT, line_id, error);
  if (line == NULL)
    return FALSE;

  trimmed = g_strstrip (g_strdup (product));
  if (g_strcmp0 (crm_record_get_string (line, "product"), trimmed) == 0 &&
      crm_record_get_int64 (line, "quantity") == quantity &&
      crm_record_get_int64 (line, "unit_price") == unit_price)
    return TRUE;
  if (undo != NULL)
    crm_change_set_remember_fields (undo, line, fields);
  g_object_set (line, "product", trimmed, "quantity", quantity, "unit-price", unit_price, NULL);
  return crm_store_update (store, line, error);
}

gboolean
crm_deal_remove_product (CrmStore      *store,
                         const char    *line_id,
                         CrmChangeSet  *undo,
                         GError       **error)
{
  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  if (!crm_store_delete (store, CRM_TYPE_DEAL_PRODUCT, line_id, error))
    return FALSE;
  if (undo != NULL)
    crm_change_set_remember_delete (undo, CRM_TYPE_DEAL_PRODUCT, line_id);
  return TRUE;
}

gint64
crm_deal_products_total (CrmStore    *store,
                         const char  *deal_id,
                         GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  gint64 total = 0;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), -1);

  stmt = crm_store_prepare (store, total_sql, error);
  if (stmt == NULL)
    return -1;
  crm_stmt_bind_text (stmt, 1, deal_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 line = crm_deal_product_line_total (sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));

      if (line < 0 || line > CRM_DEAL_AMOUNT_MAX - total)
        {
          g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                               _("The products of this deal come to more than a deal can hold."));
          return -1;
        }
      total += line;
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return -1;
    }
  return total;
}

GStrv
crm_deal_product_suggestions (CrmStore    *store,
                              const char  *prefix,
                              guint        limit,
                              GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) pattern = NULL;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  stmt = crm_store_prepare (store, suggestions_sql, error);
  if (stmt == NULL)
    return NULL;
  if (prefix != NULL && *prefix != '\0')
    {
      /* LIKE's wildcards in a name are meant literally. */
      pattern = g_string_new (NULL);
      for (const char *p = prefix; *p != '\0'; p++)
        {
          if (*p == '%' || *p == '_' || *p == '\\')
            g_string_append_c (pattern, '\\');
          g_string_append_c (pattern, *p);
        }
      crm_stmt_bind_text (stmt, 1, pattern->str);
    }
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_strv_builder_end (builder);
}
