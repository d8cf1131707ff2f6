/* crm-contact-filter-popover.c: the filter menu of the contacts list: every value with how many contacts it shows */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "crm-contact-filter-popover.h"
#include "crm-contact-labels.h"

struct _CrmContactFilterPopover
{
  GtkPopover           parent_instance;

  CrmContactListModel *model;

  /* Counting runs in a thread, one filter after the other, each filling
   * its own section when done. One at a time: on two cores, counts in
   * parallel starve the main thread and frames take 100 ms. */
  GCancellable        *counting;
  guint                n_counting;   /* filters still to count */
  GtkWidget           *sections[CRM_CONTACT_N_FILTERS];

  /* Template widgets */
  GtkBox              *content;
};

G_DEFINE_FINAL_TYPE (CrmContactFilterPopover, crm_contact_filter_popover, GTK_TYPE_POPOVER)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_COUNTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The order people look for them in. */
static const CrmContactFilter shown[] = {
  CRM_CONTACT_FILTER_SEGMENT,
  CRM_CONTACT_FILTER_LIFECYCLE,
  CRM_CONTACT_FILTER_RFM_SEGMENT,
  CRM_CONTACT_FILTER_TAG,
  CRM_CONTACT_FILTER_OWNER,
  CRM_CONTACT_FILTER_PROVINCE,
  CRM_CONTACT_FILTER_GENDER,
  CRM_CONTACT_FILTER_AGE_BAND,
  CRM_CONTACT_FILTER_KIND,
};

/* Counted in this order: saved segments, which take longest (seconds with
 * a million contacts), last. */
static const CrmContactFilter count_order[] = {
  CRM_CONTACT_FILTER_LIFECYCLE,
  CRM_CONTACT_FILTER_RFM_SEGMENT,
  CRM_CONTACT_FILTER_TAG,
  CRM_CONTACT_FILTER_OWNER,
  CRM_CONTACT_FILTER_PROVINCE,
  CRM_CONTACT_FILTER_GENDER,
  CRM_CONTACT_FILTER_AGE_BAND,
  CRM_CONTACT_FILTER_KIND,
  CRM_CONTACT_FILTER_SEGMENT,
};

G_STATIC_ASSERT (G_N_ELEMENTS (count_order) == G_N_ELEMENTS (shown));

/* Values beyond this many per filter are reached by search. */
#define MAX_VALUES 24

static GtkWidget *
value_button (CrmContactFilter       filter,
              const CrmContactFacet *facet,
              gboolean               active)
{
  g_autofree char *label = crm_contact_filter_value_label (filter, facet->value, facet->label);
  g_autofree char *count = g_strdup_printf ("%u", facet->count);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *number = gtk_label_new (count);

  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 16);
  gtk_widget_add_css_class (number, "dim-label");
  gtk_widget_add_css_class (number, "numeric");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), number);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "filter-value");
  if (active)
    gtk_widget_add_css_class (button, "suggested-action");
  else
    gtk_widget_add_css_class (button, "flat");

  /* A second click on the active value takes the filter off again. */
  if (active)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", crm_contact_filter_to_string (filter));
  else
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)",
                                      crm_contact_filter_to_string (filter), facet->value);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button),
                                  active ? "contacts.remove-filter" : "contacts.filter");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return button;
}

static void
on_value_clicked (GtkButton  *button,
                  GtkPopover *popover)
{
  gtk_popover_popdown (popover);
}

static void
show_empty_if_nothing (CrmContactFilterPopover *self)
{
  GtkWidget *label;

  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    if (gtk_widget_get_visible (self->sections[shown[i]]))
      return;
  label = gtk_label_new (_("Nothing to filter by yet."));
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (self->content, label);
}

static void
fill_section (CrmContactFilterPopover *self,
              CrmContactFilter         filter,
              GPtrArray               *facets)
{
  GtkWidget *section = self->sections[filter];
  GtkWidget *spinner = gtk_widget_get_last_child (section);
  const char *active = crm_contact_list_model_get_filter (self->model, filter);
  GtkWidget *flow;

  gtk_box_remove (GTK_BOX (section), spinner);
  if (facets->len == 0)
    {
      gtk_widget_set_visible (section, FALSE);
      return;
    }

  flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 3);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_box_append (GTK_BOX (section), flow);

  for (guint j = 0; j < facets->len && j < MAX_VALUES; j++)
    {
      CrmContactFacet *facet = g_ptr_array_index (facets, j);
      GtkWidget *button = value_button (filter, facet, g_strcmp0 (active, facet->value) == 0);

      g_signal_connect (button, "clicked", G_CALLBACK (on_value_clicked), self);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), button);
    }
}

static void count_next (CrmContactFilterPopover *self);

static void
on_facet_counted (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CrmContactFilterPopover *self = user_data;
  CrmContactFilter filter = crm_contact_list_model_count_facet_get_filter (result);
  g_autoptr(GPtrArray) facets = NULL;
  g_autoptr(GError) error = NULL;

  facets = crm_contact_list_model_count_facet_finish (result, &error);
  /* A newer refresh, the menu closed or disposed: @self may be gone. No
   * reference is held, so that counting does not keep the store open. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (facets == NULL)
    {
      g_warning ("Could not count contacts by %s: %s",
                 crm_contact_filter_to_string (filter), error->message);
      gtk_widget_set_visible (self->sections[filter], FALSE);
    }
  else
    fill_section (self, filter, facets);

  if (--self->n_counting > 0)
    {
      count_next (self);
      return;
    }
  g_clear_object (&self->counting);
  show_empty_if_nothing (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
}

static void
count_next (CrmContactFilterPopover *self)
{
  CrmContactFilter filter = count_order[G_N_ELEMENTS (count_order) - self->n_counting];

  crm_contact_list_model_count_facet_async (self->model, filter, self->counting, on_facet_counted, self);
}

static void
stop_counting (CrmContactFilterPopover *self)
{
  if (self->counting == NULL)
    return;
  g_cancellable_cancel (self->counting);
  g_clear_object (&self->counting);
  self->n_counting = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
}

void
crm_contact_filter_popover_refresh (CrmContactFilterPopover *self)
{
  GtkWidget *child;

  g_return_if_fail (CRM_IS_CONTACT_FILTER_POPOVER (self));

  stop_counting (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content))) != NULL)
    gtk_box_remove (self->content, child);
  memset (self->sections, 0, sizeof self->sections);

  if (self->model == NULL)
    return;

  /* Every section at once, in its place, with a spinner until counted. */
  self->counting = g_cancellable_new ();
  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      CrmContactFilter filter = shown[i];
      GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *heading = gtk_label_new (crm_contact_filter_title (filter));
      GtkWidget *spinner = gtk_spinner_new ();

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "heading");
      gtk_widget_set_margin_top (section, i > 0 ? 6 : 0);
      gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
      gtk_widget_set_halign (spinner, GTK_ALIGN_START);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spinner),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Counting contacts…"), -1);
      gtk_box_append (GTK_BOX (section), heading);
      gtk_box_append (GTK_BOX (section), spinner);
      gtk_box_append (self->content, section);
      self->sections[filter] = section;
    }
  self->n_counting = G_N_ELEMENTS (count_order);
  count_next (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
}

gboolean
crm_contact_filter_popover_get_counting (CrmContactFilterPopover *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_FILTER_POPOVER (self), FALSE);

  return self->n_counting > 0;
}

static void
crm_contact_filter_popover_show (GtkWidget *widget)
{
  /* Counts are taken when the menu opens, so they match the list. */
  crm_contact_filter_popover_refresh (CRM_CONTACT_FILTER_POPOVER (widget));

  GTK_WIDGET_CLASS (crm_contact_filter_popover_parent_class)->show (widget);
}

static void
crm_contact_filter_popover_hide (GtkWidget *widget)
{
  /* Nobody waits for counts of a closed menu. */
  stop_counting (CRM_CONTACT_FILTER_POPOVER (widget));

  GTK_WIDGET_CLASS (crm_contact_filter_popover_parent_class)->hide (widget);
}

static void
crm_contact_filter_popover_dispose (GObject *object)
{
  CrmContactFilterPopover *self = (CrmContactFilterPopover *)object;

  stop_counting (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CONTACT_FILTER_POPOVER);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (crm_contact_filter_popover_parent_class)->dispose (object);
}

static void
crm_contact_filter_popover_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  CrmContactFilterPopover *self = CRM_CONTACT_FILTER_POPOVER (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_COUNTING:
      g_value_set_boolean (value, crm_contact_filter_popover_get_counting (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contact_filter_popover_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  CrmContactFilterPopover *self = CRM_CONTACT_FILTER_POPOVER (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      crm_contact_filter_popover_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contact_filter_popover_class_init (CrmContactFilterPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_contact_filter_popover_dispose;
  object_class->get_property = crm_contact_filter_popover_get_property;
  object_class->set_property = crm_contact_filter_popover_set_property;
  widget_class->show = crm_contact_filter_popover_show;
  widget_class->hide = crm_contact_filter_popover_hide;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         CRM_TYPE_CONTACT_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* TRUE while some section still waits for its counts. */
  properties[PROP_COUNTING] =
    g_param_spec_boolean ("counting", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-contact-filter-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmContactFilterPopover, content);
}

static void
crm_contact_filter_popover_init (CrmContactFilterPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CrmContactListModel *
crm_contact_filter_popover_get_model (CrmContactFilterPopover *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_FILTER_POPOVER (self), NULL);

  return self->model;
}

void
crm_contact_filter_popover_set_model (CrmContactFilterPopover *self,
                                      CrmContactListModel     *model)
{
  g_return_if_fail (CRM_IS_CONTACT_FILTER_POPOVER (self));

  if (g_set_object (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}
