/* crm-deal-card-view.c: one deal card on the pipeline board, drawn as a single widget
 *
 * A board keeps up to ~200 rows per column realized (GtkListView in
 * GTK 4.8), so a card made of eight labels in boxes cost thousands of
 * widgets, each shaping its text to be measured. This widget lays out
 * its texts with a few PangoLayouts set on bind and drawn in snapshot,
 * and reports a height that depends only on the font: measuring a card
 * shapes no text, and a move re-measures nothing. */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-contact-labels.h"
#include "crm-deal-card-view.h"

#define ROW_SPACING 2
#define COLUMN_SPACING 6
#define MARKER_SIZE 16
/* The sizes of libadwaita's .heading and .caption, and the opacity of .dim-label. */
#define HEADING_POINTS 11
#define CAPTION_POINTS 9
#define DIM_OPACITY 0.55f

typedef enum
{
  TEXT_TITLE,
  TEXT_CUSTOMER,
  TEXT_AMOUNT,
  TEXT_OWNER,
  TEXT_CLOSE,
  TEXT_DAYS,
  N_TEXTS
} Text;

typedef enum
{
  FONT_HEADING,
  FONT_BODY,
  FONT_CAPTION,
  N_FONTS
} Font;

static const Font text_fonts[N_TEXTS] = {
  FONT_HEADING, FONT_BODY, FONT_BODY, FONT_CAPTION, FONT_CAPTION, FONT_CAPTION,
};

typedef struct
{
  int heights[N_FONTS];
  int baselines[N_FONTS];
} LineHeights;

struct _CrmDealCardView
{
  GtkWidget          parent_instance;

  CrmDealCard       *card;
  char              *label;
  PangoLayout       *layouts[N_TEXTS];
  guint              context_serial;
  const LineHeights *line_heights;
};

G_DEFINE_FINAL_TYPE (CrmDealCardView, crm_deal_card_view, GTK_TYPE_WIDGET)

/* Line heights by font, shared by all cards: each is found once by
 * shaping a sample with the fonts a card may fall back to. */
static GHashTable *line_heights_cache;

char *
crm_deal_card_format_customer (CrmDealCard *card)
{
  const char *contact = crm_deal_card_get_contact_name (card);
  const char *organization = crm_deal_card_get_organization_name (card);

  if (contact != NULL && organization != NULL)
    /* Translators: a person and their organization on a deal card */
    return g_strdup_printf (_("%s · %s"), contact, organization);
  if (contact != NULL)
    return g_strdup (contact);
  return g_strdup (_("No customer"));
}

char *
crm_deal_card_format_days (CrmDealCard *card)
{
  int days = crm_deal_card_get_days_in_stage (card);

  /* Translators: how long a deal has been in its stage, short */
  return g_strdup_printf (ngettext ("%d day", "%d days", days), days);
}

static PangoFontDescription *
font_for (const PangoFontDescription *base,
          Font                        font)
{
  PangoFontDescription *desc = pango_font_description_copy (base);

  if (font == FONT_HEADING)
    {
      pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
      pango_font_description_set_size (desc, HEADING_POINTS * PANGO_SCALE);
    }
  else if (font == FONT_CAPTION)
    pango_font_description_set_size (desc, CAPTION_POINTS * PANGO_SCALE);
  return desc;
}

static const LineHeights *
lookup_line_heights (PangoContext *context)
{
  const PangoFontDescription *base = pango_context_get_font_description (context);
  g_autofree char *font = pango_font_description_to_string (base);
  char *key = g_strdup_printf ("%s@%g", font, pango_cairo_context_get_resolution (context));
  LineHeights *heights;

  if (line_heights_cache == NULL)
    line_heights_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  heights = g_hash_table_lookup (line_heights_cache, key);
  if (heights != NULL)
    {
      g_free (key);
      return heights;
    }
  heights = g_new0 (LineHeights, 1);
  for (Font f = 0; f < N_FONTS; f++)
    {
      g_autoptr(PangoLayout) sample = pango_layout_new (context);
      PangoFontDescription *desc = font_for (base, f);

      /* Latin with accents and descenders, and Han, which falls back
       * to a taller font on most systems. */
      pango_layout_set_font_description (sample, desc);
      pango_layout_set_text (sample, "ÝAg 中文 ¥0", -1);
      pango_layout_get_pixel_size (sample, NULL, &heights->heights[f]);
      heights->baselines[f] = PANGO_PIXELS (pango_layout_get_baseline (sample));
      pango_font_description_free (desc);
    }
  g_hash_table_insert (line_heights_cache, key, heights);
  return heights;
}

/* Follows the widget's font: the layouts take the context's font,
 * and the line heights go with it. */
static void
sync_context (CrmDealCardView *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *base;

  if (self->line_heights != NULL && pango_context_get_serial (context) == self->context_serial)
    return;
  base = pango_context_get_font_description (context);
  for (Text t = 0; t < N_TEXTS; t++)
    {
      PangoFontDescription *desc = font_for (base, text_fonts[t]);

      pango_layout_context_changed (self->layouts[t]);
      pango_layout_set_font_description (self->layouts[t], desc);
      pango_font_description_free (desc);
    }
  self->line_heights = lookup_line_heights (context);
  self->context_serial = pango_context_get_serial (context);
}

static int
title_row_height (const LineHeights *heights)
{
  return MAX (heights->heights[FONT_HEADING], MARKER_SIZE);
}

static void
crm_deal_card_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  CrmDealCardView *self = CRM_DEAL_CARD_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Every text ellipsizes: the column decides the width. */
      *minimum = 4 * MARKER_SIZE;
      *natural = 14 * MARKER_SIZE;
      return;
    }
  sync_context (self);
  *minimum = *natural = title_row_height (self->line_heights) +
                        2 * self->line_heights->heights[FONT_BODY] +
                        self->line_heights->heights[FONT_CAPTION] + 3 * ROW_SPACING;
}

static void
get_colors (CrmDealCardView *self,
            GdkRGBA         *fg,
            GdkRGBA         *dim,
            GdkRGBA         *error)
{
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self));

  /* The theme's colors, so both the light and the dark style apply. */
  gtk_style_context_get_color (style, fg);
  *dim = *fg;
  dim->alpha *= DIM_OPACITY;
  if (!gtk_style_context_lookup_color (style, "error_color", error))
    *error = *fg;
}

/* Draws @layout on the line whose top is @y; the baseline is the
 * sample's, so Latin-only and Han texts side by side line up. */
static void
draw_text (GtkSnapshot       *snapshot,
           PangoLayout       *layout,
           const LineHeights *heights,
           Font               font,
           int                x,
           int                y,
           const GdkRGBA     *color)
{
  y += heights->baselines[font] - PANGO_PIXELS (pango_layout_get_baseline (layout));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* x of a box [x, x + w) in a row of @width, mirrored right to left. */
static int
place (CrmDealCardView *self,
       int              width,
       int              x,
       int              w)
{
  return gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL ? width - x - w : x;
}

static void
draw_marker (CrmDealCardView *self,
             GtkSnapshot     *snapshot,
             int              x,
             int              y,
             const GdkRGBA   *error)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  g_autoptr(GtkIconPaintable) icon = gtk_icon_theme_lookup_icon (theme, "alarm-symbolic", NULL, MARKER_SIZE,
                                                                 gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                                                                 gtk_widget_get_direction (GTK_WIDGET (self)), 0);
  /* Foreground, error, warning, success: all the error color, as the
   * .error style class gave the marker. */
  GdkRGBA colors[4] = { *error, *error, *error, *error };

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                            MARKER_SIZE, MARKER_SIZE, colors, G_N_ELEMENTS (colors));
  gtk_snapshot_restore (snapshot);
}

static void
crm_deal_card_view_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  CrmDealCardView *self = CRM_DEAL_CARD_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  const LineHeights *heights;
  GdkRGBA fg, dim, error;
  int title_width = width;
  int close_width, days_width, owner_width;
  int row_height, y, x;

  if (self->card == NULL || width <= 0)
    return;
  sync_context (self);
  heights = self->line_heights;
  get_colors (self, &fg, &dim, &error);

  /* Title, and the overdue task marker at its end. */
  row_height = title_row_height (heights);
  if (crm_deal_card_get_overdue_task (self->card))
    {
      title_width = MAX (0, width - MARKER_SIZE - COLUMN_SPACING);
      draw_marker (self, snapshot, place (self, width, width - MARKER_SIZE, MARKER_SIZE),
                   (row_height - MARKER_SIZE) / 2, &error);
    }
  pango_layout_set_width (self->layouts[TEXT_TITLE], title_width * PANGO_SCALE);
  draw_text (snapshot, self->layouts[TEXT_TITLE], heights, FONT_HEADING, place (self, width, 0, title_width),
             (row_height - heights->heights[FONT_HEADING]) / 2, &fg);
  y = row_height + ROW_SPACING;

  pango_layout_set_width (self->layouts[TEXT_CUSTOMER], width * PANGO_SCALE);
  draw_text (snapshot, self->layouts[TEXT_CUSTOMER], heights, FONT_BODY, 0, y, &dim);
  y += heights->heights[FONT_BODY] + ROW_SPACING;
  pango_layout_set_width (self->layouts[TEXT_AMOUNT], width * PANGO_SCALE);
  draw_text (snapshot, self->layouts[TEXT_AMOUNT], heights, FONT_BODY, 0, y, &fg);
  y += heights->heights[FONT_BODY] + ROW_SPACING;

  /* Owner, taking what the close date and the days leave. */
  pango_layout_get_pixel_size (self->layouts[TEXT_DAYS], &days_width, NULL);
  pango_layout_get_pixel_size (self->layouts[TEXT_CLOSE], &close_width, NULL);
  x = width - days_width;
  draw_text (snapshot, self->layouts[TEXT_DAYS], heights, FONT_CAPTION, place (self, width, x, days_width), y, &dim);
  x -= close_width + COLUMN_SPACING;
  draw_text (snapshot, self->layouts[TEXT_CLOSE], heights, FONT_CAPTION, place (self, width, x, close_width), y,
             crm_deal_card_get_overdue_close (self->card) ? &error : &fg);
  owner_width = MAX (0, x - COLUMN_SPACING);
  pango_layout_set_width (self->layouts[TEXT_OWNER], owner_width * PANGO_SCALE);
  draw_text (snapshot, self->layouts[TEXT_OWNER], heights, FONT_CAPTION, place (self, width, 0, owner_width), y, &fg);
}

static void
crm_deal_card_view_dispose (GObject *object)
{
  CrmDealCardView *self = CRM_DEAL_CARD_VIEW (object);

  g_clear_object (&self->card);
  for (Text t = 0; t < N_TEXTS; t++)
    g_clear_object (&self->layouts[t]);
  G_OBJECT_CLASS (crm_deal_card_view_parent_class)->dispose (object);
}

static void
crm_deal_card_view_finalize (GObject *object)
{
  CrmDealCardView *self = CRM_DEAL_CARD_VIEW (object);

  g_free (self->label);
  G_OBJECT_CLASS (crm_deal_card_view_parent_class)->finalize (object);
}

static void
crm_deal_card_view_class_init (CrmDealCardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_deal_card_view_dispose;
  object_class->finalize = crm_deal_card_view_finalize;
  widget_class->measure = crm_deal_card_view_measure;
  widget_class->snapshot = crm_deal_card_view_snapshot;
  gtk_widget_class_set_css_name (widget_class, "dealcard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
crm_deal_card_view_init (CrmDealCardView *self)
{
  PangoAttrList *numeric = pango_attr_list_new ();

  /* Tabular figures, as the .numeric style class gave the amounts and dates. */
  pango_attr_list_insert (numeric, pango_attr_font_features_new ("tnum=1"));
  gtk_widget_add_css_class (GTK_WIDGET (self), "deal-card");
  for (Text t = 0; t < N_TEXTS; t++)
    {
      self->layouts[t] = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_ellipsize (self->layouts[t], PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layouts[t], TRUE);
      if (t == TEXT_AMOUNT || t == TEXT_CLOSE)
        pango_layout_set_attributes (self->layouts[t], numeric);
    }
  pango_attr_list_unref (numeric);
}

GtkWidget *
crm_deal_card_view_new (void)
{
  return g_object_new (CRM_TYPE_DEAL_CARD_VIEW, NULL);
}

void
crm_deal_card_view_set_card (CrmDealCardView *self,
                             CrmDealCard     *card)
{
  g_autofree char *customer = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *days = NULL;
  g_autofree char *description = NULL;
  const char *owner, *close_date;
  g_autoptr(GString) notes = g_string_new (NULL);

  g_return_if_fail (CRM_IS_DEAL_CARD_VIEW (self));
  g_return_if_fail (card == NULL || CRM_IS_DEAL_CARD (card));

  if (!g_set_object (&self->card, card))
    return;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (card == NULL)
    {
      for (Text t = 0; t < N_TEXTS; t++)
        pango_layout_set_text (self->layouts[t], "", 0);
      g_clear_pointer (&self->label, g_free);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      return;
    }

  customer = crm_deal_card_format_customer (card);
  amount = crm_format_money (crm_deal_card_get_amount (card), crm_deal_card_get_currency (card));
  days = crm_deal_card_get_closed (card) ? g_strdup ("") : crm_deal_card_format_days (card);
  owner = crm_deal_card_get_owner_name (card) != NULL ? crm_deal_card_get_owner_name (card) : _("No owner");
  close_date = crm_deal_card_get_close_date (card) != NULL ? crm_deal_card_get_close_date (card) : "";

  /* Setting text shapes nothing yet: that waits for the first draw. */
  pango_layout_set_text (self->layouts[TEXT_TITLE], crm_deal_card_get_title (card), -1);
  pango_layout_set_text (self->layouts[TEXT_CUSTOMER], customer, -1);
  pango_layout_set_text (self->layouts[TEXT_AMOUNT], amount, -1);
  pango_layout_set_text (self->layouts[TEXT_OWNER], owner, -1);
  pango_layout_set_text (self->layouts[TEXT_CLOSE], close_date, -1);
  pango_layout_set_text (self->layouts[TEXT_DAYS], days, -1);

  g_free (self->label);
  /* Translators: what a screen reader says for a deal card: title, customer, amount */
  self->label = g_strdup_printf (_("%s, %s, %s"), crm_deal_card_get_title (card), customer, amount);

  g_string_append (notes, owner);
  if (*close_date != '\0')
    g_string_append_printf (notes, ", %s", close_date);
  if (*days != '\0')
    g_string_append_printf (notes, ", %s", days);
  if (crm_deal_card_get_lost_reason (card) != NULL)
    {
      g_string_append (notes, ". ");
      g_string_append_printf (notes, _("Lost: %s"), crm_deal_card_get_lost_reason (card));
    }
  if (crm_deal_card_get_overdue_close (card))
    g_string_append_printf (notes, ". %s", _("The expected close date has passed"));
  if (crm_deal_card_get_overdue_task (card))
    g_string_append_printf (notes, ". %s", _("A task of this deal is overdue"));
  description = g_string_free (g_steal_pointer (&notes), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

CrmDealCard *
crm_deal_card_view_get_card (CrmDealCardView *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD_VIEW (self), NULL);

  return self->card;
}

const char *
crm_deal_card_view_get_label (CrmDealCardView *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD_VIEW (self), NULL);

  return self->label;
}
