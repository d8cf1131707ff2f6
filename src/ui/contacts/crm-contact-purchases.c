/* crm-contact-purchases.c: a contact's purchases with totals, average order, frequency, RFM and CLV */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-contact.h"
#include "crm-contact-labels.h"
#include "crm-contact-purchases.h"
#include "crm-customer-value.h"
#include "crm-timeline-model.h"

struct _CrmContactPurchases
{
  GtkWidget         parent_instance;

  CrmStore         *store;
  CrmTimelineModel *model;
  char             *contact_id;
  GHashTable       *figure_labels;   /* name → GtkLabel */

  /* Template widgets */
  GtkFlowBox       *figures;
  GtkStack         *stack;
  GtkListView      *list_view;
};

G_DEFINE_FINAL_TYPE (CrmContactPurchases, crm_contact_purchases, GTK_TYPE_WIDGET)

static const struct {
  const char *name;
  const char *caption;
  const char *tooltip;
} figure_info[] = {
  { "total", N_("Total spent"), NULL },
  { "orders", N_("Orders"), NULL },
  { "average", N_("Average order"), NULL },
  { "per-year", N_("Orders a year"), N_("Since the first purchase, counted over at least a year") },
  { "last", N_("Last purchase"), NULL },
  { "rfm", N_("RFM score"), N_("Recency, frequency and monetary value, each scored 1 to 5 against all customers") },
  { "segment", N_("RFM segment"), NULL },
  { "clv", N_("Lifetime value"), N_("Estimate: average order × orders a year × 3 years") },
};

static void
set_figure (CrmContactPurchases *self,
            const char          *name,
            const char          *value)
{
  GtkLabel *label = g_hash_table_lookup (self->figure_labels, name);

  gtk_label_set_label (label, value != NULL && *value != '\0' ? value : "—");
}

static void
load_figures (CrmContactPurchases *self)
{
  g_autoptr(CrmContact) contact = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *total = NULL;
  g_autofree char *orders = NULL;
  g_autofree char *average = NULL;
  g_autofree char *per_year = NULL;
  g_autofree char *last = NULL;
  g_autofree char *rfm = NULL;
  g_autofree char *clv = NULL;
  CrmCustomerValue value;
  CrmRecord *record;

  if (self->store != NULL && self->contact_id != NULL)
    contact = crm_store_get (self->store, CRM_TYPE_CONTACT, self->contact_id, NULL);
  if (contact == NULL)
    return;

  record = CRM_RECORD (contact);
  crm_customer_value_compute (crm_record_get_int64 (record, "total_spent"),
                              crm_record_get_int64 (record, "purchase_count"),
                              crm_record_get_string (record, "first_purchase_at"),
                              today, CRM_CLV_DEFAULT_LIFETIME_YEARS, &value);

  total = crm_format_money (value.total, NULL);
  orders = g_strdup_printf ("%" G_GINT64_FORMAT, value.orders);
  if (value.orders > 0)
    {
      average = crm_format_money (value.average_order, NULL);
      per_year = g_strdup_printf ("%.1f", value.orders_per_year);
      clv = crm_format_money (value.lifetime_value, NULL);
    }
  last = crm_format_date (crm_record_get_string (record, "last_purchase_at"));
  if (crm_record_get_int64 (record, "rfm_r") > 0)
    rfm = g_strdup_printf ("R%" G_GINT64_FORMAT " F%" G_GINT64_FORMAT " M%" G_GINT64_FORMAT,
                           crm_record_get_int64 (record, "rfm_r"),
                           crm_record_get_int64 (record, "rfm_f"),
                           crm_record_get_int64 (record, "rfm_m"));

  set_figure (self, "total", total);
  set_figure (self, "orders", orders);
  set_figure (self, "average", average);
  set_figure (self, "per-year", per_year);
  set_figure (self, "last", last);
  set_figure (self, "rfm", rfm);
  set_figure (self, "segment", crm_value_label (crm_rfm_segment_labels, crm_record_get_string (record, "rfm_segment")));
  set_figure (self, "clv", clv);
}

static void
update (CrmContactPurchases *self)
{
  gtk_stack_set_visible_child_name (self->stack,
                                    self->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0
                                    ? "list" : "empty");
  load_figures (self);
}

static void
on_store_changed (CrmContactPurchases *self,
                  const char          *table,
                  const char          *id)
{
  /* Totals and RFM are derived into the contact row when purchases change. */
  if (table == NULL || (g_str_equal (table, "contacts") && (id == NULL || g_strcmp0 (id, self->contact_id) == 0)))
    load_figures (self);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           CrmContactPurchases      *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *date = gtk_label_new (NULL);
  GtkWidget *product = gtk_label_new (NULL);
  GtkWidget *amount = gtk_label_new (NULL);

  gtk_widget_add_css_class (box, "timeline-row");
  gtk_widget_add_css_class (date, "dim-label");
  gtk_widget_add_css_class (date, "timeline-time");
  gtk_label_set_xalign (GTK_LABEL (product), 0);
  gtk_label_set_ellipsize (GTK_LABEL (product), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (product, TRUE);
  gtk_widget_add_css_class (amount, "numeric");
  gtk_box_append (GTK_BOX (box), date);
  gtk_box_append (GTK_BOX (box), product);
  gtk_box_append (GTK_BOX (box), amount);
  gtk_list_item_set_child (item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          CrmContactPurchases      *self)
{
  CrmRecord *record = gtk_list_item_get_item (item);
  GtkWidget *date = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *product = gtk_widget_get_next_sibling (date);
  GtkWidget *amount = gtk_widget_get_next_sibling (product);
  g_autofree char *date_text = crm_format_date (crm_record_get_string (record, "purchased_at"));
  g_autofree char *amount_text = crm_format_money (crm_record_get_int64 (record, "amount"),
                                                   crm_record_get_string (record, "currency"));
  const char *category = crm_record_get_string (record, "category");
  g_autofree char *product_text = NULL;

  if (category != NULL)
    /* Translators: product and its category */
    product_text = g_strdup_printf (_("%s (%s)"), crm_record_get_string (record, "product"), category);
  else
    product_text = g_strdup (crm_record_get_string (record, "product"));

  gtk_label_set_label (GTK_LABEL (date), date_text != NULL ? date_text : "");
  gtk_label_set_label (GTK_LABEL (product), product_text);
  gtk_label_set_label (GTK_LABEL (amount), amount_text);
}

static void
crm_contact_purchases_dispose (GObject *object)
{
  GtkWidget *child;
  CrmContactPurchases *self = (CrmContactPurchases *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CONTACT_PURCHASES);
  /* The root box of the template is not a bound child. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->figure_labels, g_hash_table_unref);

  G_OBJECT_CLASS (crm_contact_purchases_parent_class)->dispose (object);
}

static void
crm_contact_purchases_finalize (GObject *object)
{
  CrmContactPurchases *self = (CrmContactPurchases *)object;

  g_clear_pointer (&self->contact_id, g_free);

  G_OBJECT_CLASS (crm_contact_purchases_parent_class)->finalize (object);
}

static void
crm_contact_purchases_class_init (CrmContactPurchasesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_contact_purchases_dispose;
  object_class->finalize = crm_contact_purchases_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-contact-purchases.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPurchases, figures);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPurchases, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPurchases, list_view);
}

static void
crm_contact_purchases_init (CrmContactPurchases *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->figure_labels = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < G_N_ELEMENTS (figure_info); i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new ("—");
      GtkWidget *caption = gtk_label_new (_(figure_info[i].caption));

      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_widget_add_css_class (value, "title-4");
      gtk_widget_add_css_class (value, "numeric");
      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_box_append (GTK_BOX (box), value);
      gtk_box_append (GTK_BOX (box), caption);
      if (figure_info[i].tooltip != NULL)
        gtk_widget_set_tooltip_text (box, _(figure_info[i].tooltip));
      gtk_flow_box_append (self->figures, box);
      g_hash_table_insert (self->figure_labels, (gpointer) figure_info[i].name, value);
    }
}

void
crm_contact_purchases_set_store (CrmContactPurchases *self,
                                 CrmStore            *store)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (CRM_IS_CONTACT_PURCHASES (self));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (!g_set_object (&self->store, store))
    return;

  g_clear_object (&self->model);
  if (store == NULL)
    {
      gtk_list_view_set_model (self->list_view, NULL);
      return;
    }

  self->model = crm_timeline_model_new (store);
  crm_timeline_model_set_kind (self->model, "purchase");
  crm_timeline_model_set_contact_id (self->model, self->contact_id);
  g_signal_connect_object (self->model, "items-changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  update (self);
}

void
crm_contact_purchases_set_contact_id (CrmContactPurchases *self,
                                      const char          *contact_id)
{
  g_return_if_fail (CRM_IS_CONTACT_PURCHASES (self));

  g_free (self->contact_id);
  self->contact_id = g_strdup (contact_id);
  if (self->model != NULL)
    crm_timeline_model_set_contact_id (self->model, contact_id);
  update (self);
}

const char *
crm_contact_purchases_get_figure (CrmContactPurchases *self,
                                  const char          *name)
{
  GtkLabel *label;

  g_return_val_if_fail (CRM_IS_CONTACT_PURCHASES (self), NULL);

  label = g_hash_table_lookup (self->figure_labels, name);
  return label != NULL ? gtk_label_get_label (label) : NULL;
}
