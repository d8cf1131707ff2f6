/* crm-deal-products.h: listing, adding, changing and removing the product lines of a deal, each undoable */
#pragma once

#include <glib.h>

#include "crm-change-set.h"
#include "crm-deal-product.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* The live lines of deal @deal_id (CrmDealProduct), in position order. */
GPtrArray *crm_deal_list_products        (CrmStore      *store,
                                          const char    *deal_id,
                                          GError       **error);

/* Adds a line after the deal's last one. INVALID for a blank @product,
 * @quantity below 1, a negative @unit_price (minor units) or a line total
 * above CRM_DEAL_AMOUNT_MAX; NOT_FOUND when there is no live deal
 * @deal_id. Nothing is written on error. @undo (nullable) remembers the
 * insert. Returns the new line's id. */
char      *crm_deal_add_product          (CrmStore      *store,
                                          const char    *deal_id,
                                          const char    *product,
                                          gint64         quantity,
                                          gint64         unit_price,
                                          CrmChangeSet  *undo,
                                          GError       **error);

/* Changes line @line_id; the same rules as crm_deal_add_product(). */
gboolean   crm_deal_update_product       (CrmStore      *store,
                                          const char    *line_id,
                                          const char    *product,
                                          gint64         quantity,
                                          gint64         unit_price,
                                          CrmChangeSet  *undo,
                                          GError       **error);

/* Deletes line @line_id (a tombstone, so sync carries it). */
gboolean   crm_deal_remove_product       (CrmStore      *store,
                                          const char    *line_id,
                                          CrmChangeSet  *undo,
                                          GError       **error);

/* The sum of the deal's line totals, in minor units; -1 with INVALID if it
 * exceeds CRM_DEAL_AMOUNT_MAX. */
gint64     crm_deal_products_total       (CrmStore      *store,
                                          const char    *deal_id,
                                          GError       **error);

/* Checks one line as the add and update functions do, without a store:
 * for an editor to say which line is wrong before saving. */
gboolean   crm_deal_product_check        (const char    *product,
                                          gint64         quantity,
                                          gint64         unit_price,
                                          GError       **error);

/* Up to @limit distinct product names to offer while typing a line: those
 * on deals and those sold most recently (the last few thousand purchases,
 * so a store with millions of purchases answers at once), that start with
 * @prefix (case-insensitive for ASCII; NULL or "" for any), sorted. */
GStrv      crm_deal_product_suggestions  (CrmStore      *store,
                                          const char    *prefix,
                                          guint          limit,
                                          GError       **error);

G_END_DECLS
