/* crm-campaign-print.h: a letter campaign on paper: the mail merge (one letter per page) and address label sheets, drawn with Cairo and Pango */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "crm-campaigns.h"

G_BEGIN_DECLS

/* A4 in points, and the label sheet: 3 × 8 labels of 70 × 37.1 mm. */
#define CRM_CAMPAIGN_PRINT_PAGE_WIDTH   595.28
#define CRM_CAMPAIGN_PRINT_PAGE_HEIGHT  841.89
#define CRM_CAMPAIGN_PRINT_LABEL_COLUMNS 3
#define CRM_CAMPAIGN_PRINT_LABEL_ROWS    8

/* Pages of @n_pieces letters (one each) or labels (24 a sheet). */
guint    crm_campaign_print_n_pages      (gboolean             labels,
                                          guint                n_pieces);

/* Draws page @page (0-based) on @cr, an A4 page in points. @sender (the
 * company, may be NULL) and @date_text head each letter. */
void     crm_campaign_print_draw_page    (cairo_t             *cr,
                                          GPtrArray           *pieces,
                                          gboolean             labels,
                                          guint                page,
                                          const char          *sender,
                                          const char          *date_text);

/* An error saying what to do when there is nothing to print. */
gboolean crm_campaign_print_check        (GPtrArray           *pieces,
                                          GError             **error);

/* Every page as a PDF at @path, written next to it and renamed when whole,
 * so a failure leaves nothing. */
gboolean crm_campaign_print_write_pdf    (GPtrArray           *pieces,
                                          gboolean             labels,
                                          const char          *sender,
                                          const char          *date_text,
                                          const char          *path,
                                          GError             **error);

G_END_DECLS
