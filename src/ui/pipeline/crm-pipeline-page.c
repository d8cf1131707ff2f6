/* crm-pipeline-page.c: the Pipeline workspace: deals on a board of stages (or a list), moves by drag and drop or keyboard, filters, totals and forecast */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-contact-labels.h"
#include "crm-deal-card-view.h"
#include "crm-deal-editor.h"
#include "crm-deal-lanes.h"
#include "crm-deal-moves.h"
#include "crm-deal.h"
#include "crm-forecast.h"
#include "crm-pipeline-page.h"
#include "crm-pipeline-report.h"
#include "crm-stage.h"
#include "crm-user-directory.h"
#include "crm-value.h"

/* -1 in the index of pipeline.move-deal: keep the deal's order key;
 * -2: put it at the end of the column. */
#define INDEX_KEEP (-1)
#define INDEX_END (-2)

struct _CrmPipelinePage
{
  GtkWidget          parent_instance;

  CrmContext        *context;
  CrmDealBoard      *board;
  CrmDealLanes      *lanes;
  GSettings         *settings;
  CrmChangeSet      *undo;
  AdwToast          *undo_toast;
  GPtrArray         *owner_ids;       /* parallel to owner_dropdown; "" = everyone */
  GPtrArray         *column_labels;   /* per stage: GtkLabel of its totals */
  GPtrArray         *column_lists;    /* GtkListView per stage, or per lane and stage when grouped */
  GPtrArray         *lane_labels;     /* per lane: GtkLabel of its name and totals */
  GtkMultiSelection *list_selection;
  GListStore        *all_columns;     /* the columns' models, flattened for the list view */
  GtkSortListModel  *list_sorted;
  char              *selected_deal;
  char              *view;            /* "board" or "list" */
  GtkWindow         *editor;          /* weak */
  gboolean           filling;

  /* Template widgets */
  AdwToastOverlay   *toast_overlay;
  GtkDropDown       *pipeline_dropdown;
  GtkDropDown       *owner_dropdown;
  GtkDropDown       *period_dropdown;
  GtkMenuButton     *amount_button;
  GtkPopover        *amount_popover;
  GtkEntry          *min_entry;
  GtkEntry          *max_entry;
  GtkLabel          *amount_problem;
  GtkButton         *reset_button;
  GtkDropDown       *group_dropdown;
  GtkToggleButton   *board_button;
  GtkToggleButton   *list_button;
  GtkLabel          *summary_label;
  GtkMenuButton     *forecast_button;
  GtkGrid           *forecast_grid;
  GtkLabel          *forecast_rates;
  GtkStack          *view_stack;
  GtkScrolledWindow *board_scroller;
  GtkBox            *columns_box;
  GtkBox            *lanes_box;
  GtkColumnView     *list_view;
  GtkRevealer       *bulk_revealer;
  GtkLabel          *bulk_label;
  GtkMenuButton     *bulk_owner_button;
  GtkMenuButton     *bulk_move_button;
  GMenuModel        *deal_menu;
};

G_DEFINE_FINAL_TYPE (CrmPipelinePage, crm_pipeline_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct { const char *id; const char *label; } periods[] = {
  { "all", N_("Any close date") },
  { "this-month", N_("Closing this month") },
  { "next-month", N_("Closing next month") },
  { "this-quarter", N_("Closing this quarter") },
  { "this-year", N_("Closing this year") },
};

/* The choices of the Group by drop-down, in CrmDealGroup order. */
static const char * const group_labels[CRM_DEAL_N_GROUPS] = {
  N_("No lanes"),
  N_("Lanes by owner"),
  N_("Lanes by customer"),
  N_("Lanes by organization"),
  N_("Lanes by currency"),
  N_("Lanes by close month"),
  N_("Lanes by amount"),
};

static void update_actions (CrmPipelinePage *self);
static void move_deal (CrmPipelinePage *self, const char *deal_id, int lane, guint stage, int index);

static CrmStore *
get_store (CrmPipelinePage *self)
{
  return self->context != NULL ? crm_context_get_store (self->context) : NULL;
}

/* --- Toasts ---------------------------------------------------------------- */

static void
on_undo_toast_dismissed (AdwToast        *toast,
                         CrmPipelinePage *self)
{
  if (self->undo_toast == toast)
    g_clear_object (&self->undo_toast);
}

/* One undo toast is reused rather than dismissed and added again:
 * libadwaita 1.2 crashes when a toast is dismissed during its animation. */
static void
show_undo_toast (CrmPipelinePage *self,
                 const char      *title,
                 CrmChangeSet    *undo)
{
  AdwToast *toast;

  g_set_object (&self->undo, undo);
  update_actions (self);
  if (self->undo_toast != NULL)
    {
      adw_toast_set_title (self->undo_toast, title);
      return;
    }
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "pipeline.undo");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_undo_toast_dismissed), self, 0);
  self->undo_toast = g_object_ref (toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_error (CrmPipelinePage *self,
            const GError    *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* --- Cards ----------------------------------------------------------------- */

static CrmDealCard *
card_of (GtkListItem *item)
{
  return item != NULL ? gtk_list_item_get_item (item) : NULL;
}

static void
select_deal (CrmPipelinePage *self,
             const char      *deal_id)
{
  if (g_strcmp0 (self->selected_deal, deal_id) == 0)
    return;
  g_free (self->selected_deal);
  self->selected_deal = g_strdup (deal_id);
  update_actions (self);
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource *source,
                 double         x,
                 double         y,
                 GtkListItem   *item)
{
  CrmDealCard *card = card_of (item);

  if (card == NULL)
    return NULL;
  return gdk_content_provider_new_typed (G_TYPE_STRING, crm_deal_card_get_id (card));
}

static void
on_drag_begin (GtkDragSource *source,
               GdkDrag       *drag,
               GtkListItem   *item)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);

  gtk_drag_source_set_icon (source, paintable, 20, 20);
}

static guint
stage_of_list (GtkWidget *list)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (list), "stage"));
}

/* The lane of a list (or of its cell), -1 on the ungrouped board. */
static int
lane_of_list (GtkWidget *list)
{
  return (int) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (list), "lane")) - 1;
}

static gboolean
refuse_lane (CrmPipelinePage *self,
             const char      *deal_id,
             int              lane)
{
  if (lane < 0 || crm_deal_lanes_can_move_to (self->lanes, deal_id, (guint) lane))
    return FALSE;
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Deals change lanes only when grouped by owner, "
                                                "to someone's lane")));
  return TRUE;
}

/* A card dropped on a card goes before it. */
static gboolean
on_card_drop (GtkDropTarget *target,
              const GValue  *value,
              double         x,
              double         y,
              GtkListItem   *item)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (gtk_widget_get_ancestor (widget, CRM_TYPE_PIPELINE_PAGE));
  GtkWidget *list = gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_VIEW);
  const char *deal_id = g_value_get_string (value);
  guint from_lane = 0, from_stage, from_index;
  guint stage;
  int index, lane;
  gboolean found;

  if (self == NULL || list == NULL || card_of (item) == NULL)
    return FALSE;
  stage = stage_of_list (list);
  lane = lane_of_list (list);
  index = (int) gtk_list_item_get_position (item);
  if (refuse_lane (self, deal_id, lane))
    return FALSE;
  /* Indexes count the column (of the lane) without the card moved. */
  if (lane >= 0)
    found = crm_deal_lanes_find_deal (self->lanes, deal_id, &from_lane, &from_stage, &from_index);
  else
    found = crm_deal_board_find_deal (self->board, deal_id, &from_stage, &from_index) != NULL;
  if (!found)
    return FALSE;
  if ((lane < 0 || (int) from_lane == lane) && from_stage == stage && (int) from_index < index)
    index--;
  if ((lane < 0 || (int) from_lane == lane) && from_stage == stage && (int) from_index == index)
    return TRUE;
  move_deal (self, deal_id, lane, stage, index);
  return TRUE;
}

/* A card dropped on a column's free space goes to its end. */
static gboolean
on_column_drop (GtkDropTarget   *target,
                const GValue    *value,
                double           x,
                double           y,
                CrmPipelinePage *self)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  guint stage = stage_of_list (widget);
  int lane = lane_of_list (widget);

  if (refuse_lane (self, g_value_get_string (value), lane))
    return FALSE;
  move_deal (self, g_value_get_string (value), lane, stage, INDEX_END);
  return TRUE;
}

static void
on_card_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 GtkListItem     *item)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (gtk_widget_get_ancestor (widget, CRM_TYPE_PIPELINE_PAGE));
  GtkWidget *menu;

  if (self == NULL || card_of (item) == NULL)
    return;
  select_deal (self, crm_deal_card_get_id (card_of (item)));
  menu = gtk_popover_menu_new_from_model (self->deal_menu);
  gtk_widget_set_parent (menu, widget);
  gtk_popover_set_pointing_to (GTK_POPOVER (menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  g_signal_connect (menu, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (menu));
}

static gboolean
on_card_query_tooltip (GtkWidget   *widget,
                       int          x,
                       int          y,
                       gboolean     keyboard,
                       GtkTooltip  *tooltip,
                       GtkListItem *item)
{
  CrmDealCard *card = card_of (item);
  g_autoptr(GString) text = g_string_new (NULL);

  if (card == NULL)
    return FALSE;
  if (crm_deal_card_get_lost_reason (card) != NULL)
    /* Translators: on a lost deal's card */
    g_string_append_printf (text, _("Lost: %s"), crm_deal_card_get_lost_reason (card));
  if (crm_deal_card_get_overdue_close (card))
    g_string_append (text, _("The expected close date has passed"));
  if (crm_deal_card_get_overdue_task (card))
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, _("A task of this deal is overdue"));
    }
  if (text->len == 0)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text->str);
  return TRUE;
}

static void
setup_card (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            CrmPipelinePage          *self)
{
  GtkWidget *card = crm_deal_card_view_new ();
  GtkDragSource *drag = gtk_drag_source_new ();
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare), item);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), item);
  gtk_widget_add_controller (card, GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (drop, "drop", G_CALLBACK (on_card_drop), item);
  gtk_widget_add_controller (card, GTK_EVENT_CONTROLLER (drop));
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_card_pressed), item);
  gtk_widget_add_controller (card, GTK_EVENT_CONTROLLER (click));

  gtk_widget_set_has_tooltip (card, TRUE);
  g_signal_connect (card, "query-tooltip", G_CALLBACK (on_card_query_tooltip), item);

  gtk_list_item_set_child (item, card);
}

static void
bind_card (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           CrmPipelinePage          *self)
{
  CrmDealCardView *view = CRM_DEAL_CARD_VIEW (gtk_list_item_get_child (item));
  GtkWidget *row = gtk_widget_get_parent (GTK_WIDGET (view));

  /* No tooltips set here: in GTK 4.8 each one asks the X server where
   * the pointer is, a round trip per bound card (query-tooltip instead). */
  crm_deal_card_view_set_card (view, card_of (item));
  /* The row takes the focus, so it says what the card says. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row != NULL ? row : GTK_WIDGET (view)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, crm_deal_card_view_get_label (view), -1);
}

/* --- Columns --------------------------------------------------------------- */

static void
on_column_selection_changed (GtkSingleSelection *selection,
                             guint               position,
                             guint               n_items,
                             CrmPipelinePage    *self)
{
  CrmDealCard *card = gtk_single_selection_get_selected_item (selection);

  if (card != NULL)
    select_deal (self, crm_deal_card_get_id (card));
}

static void
on_column_activate (GtkListView     *list,
                    guint            position,
                    CrmPipelinePage *self)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list));
  g_autoptr(CrmDealCard) card = g_list_model_get_item (model, position);

  if (card != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.edit-deal", "s", crm_deal_card_get_id (card));
}

static void
update_column_label (CrmPipelinePage *self,
                     guint            stage)
{
  GtkLabel *label = g_ptr_array_index (self->column_labels, stage);
  guint n = g_list_model_get_n_items (crm_deal_board_get_deals (self->board, stage));
  const char *currency = crm_deal_board_get_currency (self->board);
  g_autofree char *amount = crm_format_money (crm_deal_board_get_stage_amount (self->board, stage), currency);
  g_autofree char *weighted = crm_format_money (crm_deal_board_get_stage_weighted (self->board, stage), currency);
  g_autofree char *text = NULL;

  if (crm_deal_board_get_stage_is_won (self->board, stage) || crm_deal_board_get_stage_is_lost (self->board, stage))
    /* Translators: a closed stage's column: deal count and amount */
    text = g_strdup_printf (ngettext ("%u deal · %s", "%u deals · %s", n), n, amount);
  else
    /* Translators: an open stage's column: count, amount, probability, weighted amount */
    text = g_strdup_printf (ngettext ("%u deal · %s\n%d %% · weighted %s", "%u deals · %s\n%d %% · weighted %s", n),
                            n, amount, crm_deal_board_get_stage_probability (self->board, stage), weighted);
  gtk_label_set_text (label, text);
}

/* The cards of @deals as a list of column @stage (of @lane; -1 on the
 * ungrouped board): select, activate, drag, and drop at the end. */
static GtkWidget *
create_list (CrmPipelinePage *self,
             GListModel      *deals,
             int              lane,
             guint            stage,
             const char      *name)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkSingleSelection *selection;
  GtkWidget *list;
  GtkDropTarget *drop;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_card), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_card), self);
  selection = gtk_single_selection_new (g_object_ref (deals));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (selection, "selection-changed", G_CALLBACK (on_column_selection_changed), self, 0);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (selection), factory);
  gtk_widget_add_css_class (list, "pipeline-cards");
  gtk_widget_add_css_class (list, "navigation-sidebar");
  g_object_set_data (G_OBJECT (list), "stage", GUINT_TO_POINTER (stage));
  g_object_set_data (G_OBJECT (list), "lane", GUINT_TO_POINTER (lane + 1));
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  name != NULL ? name : crm_deal_board_get_stage_name (self->board, stage), -1);
  g_signal_connect_object (list, "activate", G_CALLBACK (on_column_activate), self, 0);
  if (lane < 0)
    {
      drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
      g_signal_connect_object (drop, "drop", G_CALLBACK (on_column_drop), self, 0);
      gtk_widget_add_controller (list, GTK_EVENT_CONTROLLER (drop));
    }
  g_ptr_array_add (self->column_lists, list);
  return list;
}

/* A column, or a lane's cell, shows this many cards until asked for all:
 * a list view of GTK 4.8 makes widgets for up to 200 of its rows whatever
 * is in view, and lays them all out again after a move. With 5,000 deals
 * that made the frame of a move alone longer than a frame (80 cells in
 * lanes: some 5,000 cards). */
#define COLUMN_CARDS 30
#define LANE_CELL_CARDS 20

/* "Show N More" under a lane's cell, while the cell holds back cards. */
static void
update_more_button (GtkWidget *button)
{
  GtkSliceListModel *slice = g_object_get_data (G_OBJECT (button), "slice");
  GListModel *deals = gtk_slice_list_model_get_model (slice);
  guint n = g_list_model_get_n_items (deals);
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (slice));
  g_autofree char *label = NULL;

  gtk_widget_set_visible (button, shown < n);
  if (shown >= n)
    return;
  /* Translators: under a column (or a lane's cell) of the pipeline board, which shows its first cards */
  label = g_strdup_printf (ngettext ("Show %u More", "Show %u More", n - shown), n - shown);
  gtk_button_set_label (GTK_BUTTON (button), label);
}

static void
on_more_clicked (GtkButton *button)
{
  GtkSliceListModel *slice = g_object_get_data (G_OBJECT (button), "slice");

  gtk_slice_list_model_set_size (slice, G_MAXUINT);
}

/* Shows every card of the cell of @list, so @index is among them. */
static void
reveal_in_list (GtkWidget *list,
                guint      index)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
  GListModel *model = gtk_single_selection_get_model (selection);

  if (GTK_IS_SLICE_LIST_MODEL (model) && index >= gtk_slice_list_model_get_size (GTK_SLICE_LIST_MODEL (model)))
    gtk_slice_list_model_set_size (GTK_SLICE_LIST_MODEL (model), G_MAXUINT);
}

/* @deals' first @cap cards in a scrolled list, added to @box with the
 * "Show N More" button under it; returns the scroller. */
static GtkWidget *
append_cards (CrmPipelinePage *self,
              GtkBox          *box,
              GListModel      *deals,
              int              lane,
              guint            stage,
              const char      *name,
              guint            cap)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *more = gtk_button_new ();
  g_autoptr(GtkSliceListModel) slice = gtk_slice_list_model_new (g_object_ref (deals), 0, cap);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller),
                                 create_list (self, G_LIST_MODEL (slice), lane, stage, name));
  gtk_box_append (box, scroller);

  gtk_widget_add_css_class (more, "flat");
  gtk_widget_set_margin_start (more, 6);
  gtk_widget_set_margin_end (more, 6);
  gtk_widget_set_margin_bottom (more, 6);
  g_object_set_data_full (G_OBJECT (more), "slice", g_object_ref (slice), g_object_unref);
  g_signal_connect (more, "clicked", G_CALLBACK (on_more_clicked), NULL);
  g_signal_connect_object (slice, "items-changed", G_CALLBACK (update_more_button), more, G_CONNECT_SWAPPED);
  g_signal_connect_object (deals, "items-changed", G_CALLBACK (update_more_button), more, G_CONNECT_SWAPPED);
  update_more_button (more);
  gtk_box_append (box, more);
  return scroller;
}

/* A stage's column: its name, menu and totals, and (on the ungrouped
 * board, @with_list) its cards; in lanes, the cards are in each lane. */
static GtkWidget *
create_column (CrmPipelinePage *self,
               guint            stage,
               gboolean         with_list)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *name = gtk_label_new (crm_deal_board_get_stage_name (self->board, stage));
  GtkWidget *totals = gtk_label_new (NULL);

  gtk_widget_add_css_class (column, "pipeline-column");
  if (crm_deal_board_get_stage_is_won (self->board, stage))
    gtk_widget_add_css_class (column, "pipeline-won");
  else if (crm_deal_board_get_stage_is_lost (self->board, stage))
    gtk_widget_add_css_class (column, "pipeline-lost");
  gtk_widget_set_size_request (column, 260, -1);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "title-4");
  gtk_widget_set_margin_start (name, 6);
  gtk_label_set_xalign (GTK_LABEL (totals), 0);
  gtk_widget_add_css_class (totals, "caption");
  gtk_widget_add_css_class (totals, "numeric");
  gtk_widget_add_css_class (totals, "dim-label");
  gtk_widget_set_margin_start (totals, 6);
  {
    GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
    GtkWidget *menu_button = gtk_menu_button_new ();
    g_autoptr(GMenu) menu = g_menu_new ();
    const char *id = crm_deal_board_get_stage_id (self->board, stage);
    const struct { const char *label; const char *action; } items[] = {
      { N_("_Rename Stage…"), "pipeline.rename-stage-prompt" },
      { N_("Add Stage _After…"), "pipeline.add-stage-prompt" },
      { N_("Move Stage _Left"), "pipeline.move-stage-left" },
      { N_("Move Stage _Right"), "pipeline.move-stage-right" },
      { N_("_Delete Stage…"), "pipeline.delete-stage-prompt" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (items); i++)
      {
        g_autoptr(GMenuItem) item = g_menu_item_new (_(items[i].label), NULL);

        g_menu_item_set_action_and_target_value (item, items[i].action, g_variant_new_string (id));
        g_menu_append_item (menu, item);
      }
    /* The reasons offered when a deal moves here. */
    if (crm_deal_board_get_stage_is_lost (self->board, stage))
      g_menu_append (menu, _("Lost R_easons…"), "pipeline.edit-lost-reasons");
    gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
    gtk_widget_set_tooltip_text (menu_button, _("Stage Menu"));
    gtk_widget_add_css_class (menu_button, "flat");
    gtk_widget_set_hexpand (name, TRUE);
    gtk_box_append (GTK_BOX (header), name);
    gtk_box_append (GTK_BOX (header), menu_button);
    gtk_box_append (GTK_BOX (column), header);
  }
  gtk_box_append (GTK_BOX (column), totals);
  g_ptr_array_add (self->column_labels, totals);

  if (with_list)
    gtk_widget_set_vexpand (append_cards (self, GTK_BOX (column), crm_deal_board_get_deals (self->board, stage),
                                          -1, stage, NULL, COLUMN_CARDS), TRUE);
  return column;
}

/* A lane's cell of a stage: its first cards, at most a few cards high (the
 * lane scrolls them), the rest a click away, and a place to drop one even
 * when empty. */
static GtkWidget *
create_lane_cell (CrmPipelinePage *self,
                  guint            lane,
                  guint            stage)
{
  GtkWidget *cell = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller;
  GtkDropTarget *drop;
  g_autofree char *name = g_strdup_printf ("%s, %s", crm_deal_lanes_get_label (self->lanes, lane),
                                           crm_deal_board_get_stage_name (self->board, stage));

  gtk_widget_add_css_class (cell, "pipeline-lane-cell");
  gtk_widget_set_size_request (cell, 260, -1);
  scroller = append_cards (self, GTK_BOX (cell), crm_deal_lanes_get_deals (self->lanes, lane, stage),
                           (int) lane, stage, name, LANE_CELL_CARDS);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 56);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 380);

  /* The whole cell takes a drop, also below the cards. */
  g_object_set_data (G_OBJECT (cell), "stage", GUINT_TO_POINTER (stage));
  g_object_set_data (G_OBJECT (cell), "lane", GUINT_TO_POINTER (lane + 1));
  drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
  g_signal_connect_object (drop, "drop", G_CALLBACK (on_column_drop), self, 0);
  gtk_widget_add_controller (cell, GTK_EVENT_CONTROLLER (drop));
  return cell;
}

static void
update_lane_label (CrmPipelinePage *self,
                   guint            lane)
{
  GtkLabel *label = g_ptr_array_index (self->lane_labels, lane);
  guint n = crm_deal_lanes_get_n_deals (self->lanes, lane);
  g_autofree char *amount = crm_format_money (crm_deal_lanes_get_amount (self->lanes, lane),
                                              crm_deal_lanes_get_currency (self->lanes, lane));
  g_autofree char *totals = NULL;
  g_autofree char *markup = NULL;

  /* Translators: a lane's totals on the pipeline board: deal count and amount */
  totals = g_strdup_printf (ngettext ("%u deal · %s", "%u deals · %s", n), n, amount);
  markup = g_markup_printf_escaped ("<b>%s</b>   <span alpha=\"70%%\">%s</span>",
                                    crm_deal_lanes_get_label (self->lanes, lane), totals);
  /* A move changes two lanes at most: the others are not laid out again. */
  if (g_strcmp0 (gtk_label_get_label (label), markup) != 0)
    gtk_label_set_markup (label, markup);
}

static GtkWidget *
create_lane (CrmPipelinePage *self,
             guint            lane)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_widget_add_css_class (box, "pipeline-lane");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "pipeline-lane-header");
  g_ptr_array_add (self->lane_labels, label);
  update_lane_label (self, lane);
  gtk_box_append (GTK_BOX (box), label);
  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    gtk_box_append (GTK_BOX (row), create_lane_cell (self, lane, s));
  gtk_box_append (GTK_BOX (box), row);
  return box;
}

static void
update_summary (CrmPipelinePage *self)
{
  guint n = crm_deal_board_get_n_open (self->board);
  guint others = crm_deal_board_get_n_other_currency (self->board);
  const char *currency = crm_deal_board_get_currency (self->board);
  g_autofree char *amount = crm_format_money (crm_deal_board_get_open_amount (self->board), currency);
  g_autofree char *weighted = crm_format_money (crm_deal_board_get_weighted_amount (self->board), currency);
  g_autofree char *text = NULL;

  /* Translators: the pipeline header: open deals, their amount, the weighted forecast */
  text = g_strdup_printf (ngettext ("%u open deal · %s · weighted %s", "%u open deals · %s · weighted %s", n),
                          n, amount, weighted);
  if (others > 0)
    {
      /* Translators: after the pipeline header's sums; %s is the currency they are in, e.g. CNY */
      g_autofree char *note = g_strdup_printf (ngettext ("%u deal in another currency is not in the %s sums",
                                                         "%u deals in other currencies are not in the %s sums",
                                                         others),
                                               others, currency);
      g_autofree char *full = g_strconcat (text, " · ", note, NULL);

      g_free (text);
      text = g_steal_pointer (&full);
    }
  if (crm_deal_board_get_n_hidden (self->board) > 0)
    {
      guint hidden = crm_deal_board_get_n_hidden (self->board);
      /* Translators: after the pipeline header's sums, while filters are on */
      g_autofree char *note = g_strdup_printf (ngettext ("%u deal hidden by filters",
                                                         "%u deals hidden by filters", hidden),
                                               hidden);
      g_autofree char *full = g_strconcat (text, " · ", note, NULL);

      g_free (text);
      text = g_steal_pointer (&full);
    }
  gtk_label_set_text (self->summary_label, text);
}

/* The amount filter's button says what it lets through. */
static void
update_filter_widgets (CrmPipelinePage *self)
{
  gint64 min = crm_deal_board_get_min_amount (self->board);
  gint64 max = crm_deal_board_get_max_amount (self->board);
  const char *currency = crm_deal_board_get_currency (self->board);
  g_autofree char *min_text = crm_format_money (min, currency);
  g_autofree char *max_text = crm_format_money (max, currency);
  g_autofree char *label = NULL;

  if (min > 0 && max > 0)
    /* Translators: the amount filter's button, e.g. "¥1,000.00 – ¥5,000.00" */
    label = g_strdup_printf (_("%s – %s"), min_text, max_text);
  else if (min > 0)
    /* Translators: the amount filter's button: at least this amount */
    label = g_strdup_printf (_("At least %s"), min_text);
  else if (max > 0)
    /* Translators: the amount filter's button: at most this amount */
    label = g_strdup_printf (_("At most %s"), max_text);
  else
    label = g_strdup (_("Any amount"));
  gtk_menu_button_set_label (self->amount_button, label);
  gtk_widget_set_visible (GTK_WIDGET (self->reset_button), crm_deal_board_get_filtered (self->board));
}

static void
update_view (CrmPipelinePage *self)
{
  const char *name = self->view;

  if (crm_deal_board_get_n_stages (self->board) == 0)
    name = "no-pipeline";
  else if (crm_deal_board_get_n_deals (self->board) == 0 && !crm_deal_board_get_filtered (self->board))
    name = "empty";
  gtk_stack_set_visible_child_name (self->view_stack, name);

  /* The list's models follow the columns only while it is shown: on the
   * board, every move would otherwise also pass through them. */
  if (g_str_equal (name, "list") && g_list_model_get_n_items (G_LIST_MODEL (self->all_columns)) == 0)
    {
      for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
        g_list_store_append (self->all_columns, crm_deal_board_get_deals (self->board, s));
    }
  else if (!g_str_equal (name, "list"))
    g_list_store_remove_all (self->all_columns);
}

static void
on_board_reloaded (CrmPipelinePage *self)
{
  for (guint s = 0; s < self->column_labels->len && s < crm_deal_board_get_n_stages (self->board); s++)
    update_column_label (self, s);
  update_summary (self);
  update_filter_widgets (self);
  update_view (self);
  update_actions (self);
}

static void
fill_pipelines (CrmPipelinePage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  for (guint i = 0; i < crm_deal_board_get_n_pipelines (self->board); i++)
    {
      gtk_string_list_append (names, crm_deal_board_get_pipeline_name_at (self->board, i));
      if (g_strcmp0 (crm_deal_board_get_pipeline_id_at (self->board, i), crm_deal_board_get_pipeline_id (self->board)) == 0)
        selected = i;
    }
  self->filling = TRUE;
  gtk_drop_down_set_model (self->pipeline_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->pipeline_dropdown, selected);
  self->filling = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->pipeline_dropdown), crm_deal_board_get_n_pipelines (self->board) > 0);
}

static void rebuild_bulk_menus (CrmPipelinePage *self);
static void select_in_column (CrmPipelinePage *self, const char *deal_id);

/* The board's widgets anew: a column per stage, and in lanes a row of
 * cells per lane under the columns' headers. */
static void
rebuild_board (CrmPipelinePage *self)
{
  gboolean grouped = crm_deal_lanes_get_group (self->lanes) != CRM_DEAL_GROUP_NONE;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->columns_box))) != NULL)
    gtk_box_remove (self->columns_box, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->lanes_box))) != NULL)
    gtk_box_remove (self->lanes_box, child);
  g_ptr_array_set_size (self->column_labels, 0);
  g_ptr_array_set_size (self->column_lists, 0);
  g_ptr_array_set_size (self->lane_labels, 0);

  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    gtk_box_append (self->columns_box, create_column (self, s, !grouped));
  for (guint l = 0; grouped && l < crm_deal_lanes_get_n_lanes (self->lanes); l++)
    gtk_box_append (self->lanes_box, create_lane (self, l));
  for (guint s = 0; s < self->column_labels->len; s++)
    update_column_label (self, s);

  /* Ungrouped, each column scrolls its cards; in lanes the board scrolls. */
  gtk_widget_set_vexpand (GTK_WIDGET (self->columns_box), !grouped);
  gtk_widget_set_visible (GTK_WIDGET (self->lanes_box), grouped);
  gtk_scrolled_window_set_policy (self->board_scroller, GTK_POLICY_AUTOMATIC,
                                  grouped ? GTK_POLICY_AUTOMATIC : GTK_POLICY_EXTERNAL);
  /* Lanes as tall as their cards (up to a cell's maximum), not squeezed
   * to their minimum when they do not all fit. */
  {
    GtkWidget *viewport = gtk_scrolled_window_get_child (self->board_scroller);

    if (GTK_IS_SCROLLABLE (viewport))
      gtk_scrollable_set_vscroll_policy (GTK_SCROLLABLE (viewport),
                                         grouped ? GTK_SCROLL_NATURAL : GTK_SCROLL_MINIMUM);
  }
  if (self->selected_deal != NULL)
    {
      g_autofree char *deal_id = g_strdup (self->selected_deal);

      select_in_column (self, deal_id);
    }
}

static void
on_stages_changed (CrmPipelinePage *self)
{
  g_list_store_remove_all (self->all_columns);
  rebuild_board (self);
  fill_pipelines (self);
  rebuild_bulk_menus (self);
}

static void
on_lanes_changed (CrmPipelinePage *self)
{
  rebuild_board (self);
}

static void
on_lanes_totals_changed (CrmPipelinePage *self)
{
  for (guint l = 0; l < self->lane_labels->len && l < crm_deal_lanes_get_n_lanes (self->lanes); l++)
    update_lane_label (self, l);
}

/* --- Moves ----------------------------------------------------------------- */

typedef struct
{
  CrmPipelinePage *self;
  char            *deal_id;
  GStrv            deal_ids;   /* a bulk move: these instead */
  int              lane;
  guint            stage;
  int              index;
  GtkDropDown     *reasons;
  GtkEntry        *other;
} LostPrompt;

static void
lost_prompt_free (LostPrompt *prompt)
{
  g_object_unref (prompt->self);
  g_free (prompt->deal_id);
  g_strfreev (prompt->deal_ids);
  g_free (prompt);
}

static void do_move (CrmPipelinePage *self, const char *deal_id, int lane, guint stage, int index, const char *reason);
static void bulk_move (CrmPipelinePage *self, const char * const *deal_ids, guint stage, const char *reason);

static void
on_lost_response (AdwMessageDialog *dialog,
                  const char       *response,
                  LostPrompt       *prompt)
{
  if (g_str_equal (response, "lost"))
    {
      const char *other = gtk_editable_get_text (GTK_EDITABLE (prompt->other));
      GtkStringObject *choice = gtk_drop_down_get_selected_item (prompt->reasons);
      g_autofree char *reason = g_strstrip (g_strdup (other));

      if (*reason == '\0' && choice != NULL)
        {
          g_free (reason);
          reason = g_strdup (gtk_string_object_get_string (choice));
        }
      if (prompt->deal_ids != NULL)
        bulk_move (prompt->self, (const char * const *) prompt->deal_ids, prompt->stage, reason);
      else
        do_move (prompt->self, prompt->deal_id, prompt->lane, prompt->stage, prompt->index, reason);
    }
  lost_prompt_free (prompt);
}

/* --- Lost reasons ------------------------------------------------------------ */

typedef struct
{
  CrmPipelinePage *self;
  GtkTextBuffer   *buffer;
  GtkLabel        *problem;
} LostReasonsEditor;

static void
lost_reasons_editor_free (LostReasonsEditor *editor)
{
  g_clear_object (&editor->self);
  g_clear_object (&editor->buffer);
  g_free (editor);
}

static GStrv
editor_lines (LostReasonsEditor *editor)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (editor->buffer, &start, &end);
  text = gtk_text_buffer_get_text (editor->buffer, &start, &end, FALSE);
  return g_strsplit (text, "\n", -1);
}

/* Checked as you type: the reason shows under the text and Save waits. */
static void
on_lost_reasons_changed (GtkTextBuffer *buffer,
                         gpointer       user_data)
{
  GtkWidget *dialog = user_data;
  LostReasonsEditor *editor = g_object_get_data (G_OBJECT (dialog), "editor");
  g_auto(GStrv) lines = editor_lines (editor);
  g_autoptr(GError) error = NULL;
  gboolean ok = crm_deal_check_lost_reasons ((const char * const *) lines, &error);

  gtk_label_set_label (editor->problem, ok ? "" : error->message);
  gtk_widget_set_visible (GTK_WIDGET (editor->problem), !ok);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save", ok);
}

static void
on_lost_reasons_response (AdwMessageDialog *dialog,
                          const char       *response,
                          gpointer          user_data)
{
  LostReasonsEditor *editor = user_data;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "save"))
    return;
  lines = editor_lines (editor);
  if (!crm_deal_set_lost_reasons (get_store (editor->self), (const char * const *) lines, &error))
    show_error (editor->self, error);
  else
    adw_toast_overlay_add_toast (editor->self->toast_overlay, adw_toast_new (_("Lost reasons saved")));
}

/* pipeline.edit-lost-reasons: the list offered when a deal is marked
 * lost, one reason a line; an empty list brings the usual ones back. */
static void
edit_lost_reasons_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_auto(GStrv) reasons = crm_deal_lost_reasons (get_store (self));
  g_autofree char *text = g_strjoinv ("\n", reasons);
  LostReasonsEditor *editor = g_new0 (LostReasonsEditor, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkWidget *problem = gtk_label_new (NULL);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("Lost Reasons"),
                                   _("Offered when a deal is marked lost, one a line. "
                                     "Leave it empty for the usual list."));
  editor->self = g_object_ref (self);
  editor->buffer = g_object_ref (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  editor->problem = GTK_LABEL (problem);
  gtk_text_buffer_set_text (editor->buffer, text, -1);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lost reasons"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 180);
  gtk_widget_add_css_class (scroller, "card");
  gtk_label_set_wrap (GTK_LABEL (problem), TRUE);
  gtk_label_set_xalign (GTK_LABEL (problem), 0);
  gtk_widget_add_css_class (problem, "error");
  gtk_widget_set_visible (problem, FALSE);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_box_append (GTK_BOX (box), problem);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "editor", editor, (GDestroyNotify) lost_reasons_editor_free);
  g_signal_connect_object (editor->buffer, "changed", G_CALLBACK (on_lost_reasons_changed), dialog, 0);
  g_signal_connect (dialog, "response", G_CALLBACK (on_lost_reasons_response), editor);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (view);
}

/* Marking a deal lost asks why; marking several asks once for all
 * (@deal_ids instead of @deal_id). */
static void
ask_lost_reason (CrmPipelinePage    *self,
                 const char         *deal_id,
                 const char * const *deal_ids,
                 int                 lane,
                 guint               stage,
                 int                 index)
{
  CrmDealCard *card = deal_id != NULL ? crm_deal_board_find_deal (self->board, deal_id, NULL, NULL) : NULL;
  g_auto(GStrv) reasons = crm_deal_lost_reasons (get_store (self));
  LostPrompt *prompt = g_new0 (LostPrompt, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (deal_ids != NULL)
    {
      guint n = g_strv_length ((GStrv) deal_ids);

      heading = g_strdup_printf (ngettext ("Why was the selected deal lost?", "Why were these %u deals lost?", n), n);
    }
  else
    heading = g_strdup (_("Why was this deal lost?"));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   card != NULL ? crm_deal_card_get_title (card) : NULL);
  prompt->self = g_object_ref (self);
  prompt->deal_id = g_strdup (deal_id);
  prompt->deal_ids = deal_ids != NULL ? g_strdupv ((GStrv) deal_ids) : NULL;
  prompt->lane = lane;
  prompt->stage = stage;
  prompt->index = index;
  prompt->reasons = GTK_DROP_DOWN (gtk_drop_down_new_from_strings ((const char * const *) reasons));
  prompt->other = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (prompt->other, _("Or write another reason"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (prompt->reasons));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (prompt->other));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "lost", _("Mark _Lost"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "lost", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "lost");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_lost_response), prompt);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
do_move (CrmPipelinePage *self,
         const char      *deal_id,
         int              lane,
         guint            stage,
         int              index,
         const char      *reason)
{
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *stage_name = g_strdup (crm_deal_board_get_stage_name (self->board, stage));
  CrmDealCard *card = crm_deal_board_find_deal (self->board, deal_id, NULL, NULL);
  /* The move replaces the card: its title is kept for the toast. */
  g_autofree char *deal_title = g_strdup (card != NULL ? crm_deal_card_get_title (card) : "");
  guint board_index = index == INDEX_KEEP ? CRM_DEAL_BOARD_KEEP_ORDER
                      : index == INDEX_END ? G_MAXUINT : (guint) index;
  guint from_lane;
  gboolean ok;

  if (crm_deal_lanes_get_group (self->lanes) != CRM_DEAL_GROUP_NONE &&
      crm_deal_lanes_find_deal (self->lanes, deal_id, &from_lane, NULL, NULL))
    {
      if (lane < 0)
        lane = (int) from_lane;
      if ((guint) lane != from_lane && (guint) lane < crm_deal_lanes_get_n_lanes (self->lanes))
        /* Translators: a deal dropped in another owner's lane: title, owner, stage */
        title = g_strdup_printf (_("“%s” handed to %s, in %s"), deal_title,
                                 crm_deal_lanes_get_label (self->lanes, (guint) lane), stage_name);
      ok = crm_deal_lanes_move (self->lanes, deal_id, (guint) lane, stage, board_index, reason, undo, &error);
    }
  else
    ok = crm_deal_board_move (self->board, deal_id, stage, board_index, reason, undo, &error);
  if (title == NULL)
    title = g_strdup_printf (_("“%s” moved to %s"), deal_title, stage_name);
  if (!ok)
    {
      show_error (self, error);
      return;
    }
  if (crm_change_set_get_n_rows (undo) > 0)
    show_undo_toast (self, title, undo);
}

/* @lane: where it was dropped when grouped, -1 for its own lane. */
static void
move_deal (CrmPipelinePage *self,
           const char      *deal_id,
           int              lane,
           guint            stage,
           int              index)
{
  guint from_stage;

  if (stage >= crm_deal_board_get_n_stages (self->board) ||
      crm_deal_board_find_deal (self->board, deal_id, &from_stage, NULL) == NULL)
    return;
  if (crm_deal_board_get_stage_is_lost (self->board, stage) && from_stage != stage)
    ask_lost_reason (self, deal_id, NULL, lane, stage, index);
  else
    do_move (self, deal_id, lane, stage, index, NULL);
}

/* pipeline.move-deal (deal id, stage id, index): index -1 keeps the
 * deal's place in the order, -2 puts it last. */
static void
move_deal_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *deal_id, *stage_id;
  int index, stage;

  g_variant_get (parameter, "(&s&si)", &deal_id, &stage_id, &index);
  stage = crm_deal_board_find_stage (self->board, stage_id);
  if (stage < 0)
    return;
  move_deal (self, deal_id, -1, (guint) stage, index);
}

/* pipeline.move-to-lane (deal id, lane key, stage id, index): what a drop
 * in a lane does; the index counts the lane's cell. */
static void
move_to_lane_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *deal_id, *key, *stage_id;
  int index, stage, lane;

  g_variant_get (parameter, "(&s&s&si)", &deal_id, &key, &stage_id, &index);
  stage = crm_deal_board_find_stage (self->board, stage_id);
  lane = crm_deal_lanes_find_lane (self->lanes, key);
  if (stage < 0 || lane < 0 || refuse_lane (self, deal_id, lane))
    return;
  move_deal (self, deal_id, lane, (guint) stage, index);
}

/* pipeline.mark-lost (deal id, reason): to the first lost stage. */
static void
mark_lost_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *deal_id, *reason;

  g_variant_get (parameter, "(&s&s)", &deal_id, &reason);
  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    if (crm_deal_board_get_stage_is_lost (self->board, s))
      {
        do_move (self, deal_id, -1, s, INDEX_KEEP, reason);
        return;
      }
}

static void
mark_won_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *deal_id = g_variant_get_string (parameter, NULL);

  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    if (crm_deal_board_get_stage_is_won (self->board, s))
      {
        do_move (self, deal_id, -1, s, INDEX_KEEP, NULL);
        return;
      }
}

static void
select_in_column (CrmPipelinePage *self,
                  const char      *deal_id)
{
  guint stage, index, lane = 0;
  gboolean grouped = crm_deal_lanes_get_group (self->lanes) != CRM_DEAL_GROUP_NONE;
  gboolean found;

  if (grouped)
    found = crm_deal_lanes_find_deal (self->lanes, deal_id, &lane, &stage, &index);
  else
    found = crm_deal_board_find_deal (self->board, deal_id, &stage, &index) != NULL;
  if (!found)
    return;
  for (guint i = 0; i < self->column_lists->len; i++)
    {
      GtkWidget *list = g_ptr_array_index (self->column_lists, i);
      GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
      gboolean here = stage_of_list (list) == stage && (!grouped || lane_of_list (list) == (int) lane);

      if (here)
        reveal_in_list (list, index);
      gtk_single_selection_set_selected (selection, here ? index : GTK_INVALID_LIST_POSITION);
    }
  select_deal (self, deal_id);
}

static void
move_step_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autofree char *deal_id = g_strdup (self->selected_deal);
  int step = g_str_equal (action_name, "pipeline.move-next") ? 1 : -1;
  guint stage;

  if (deal_id == NULL || crm_deal_board_find_deal (self->board, deal_id, &stage, NULL) == NULL)
    return;
  if ((int) stage + step < 0 || stage + step >= crm_deal_board_get_n_stages (self->board))
    return;
  move_deal (self, deal_id, -1, stage + step, INDEX_KEEP);
  select_in_column (self, deal_id);
}

static void
selected_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autofree char *deal_id = g_strdup (self->selected_deal);
  guint stage;

  /* In the list, Delete applies to every selected row, after asking. */
  if (g_str_equal (action_name, "pipeline.delete-selected") && g_str_equal (self->view, "list") &&
      !gtk_bitset_is_empty (gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->list_selection))))
    {
      gtk_widget_activate_action (widget, "pipeline.bulk-delete-prompt", NULL);
      return;
    }
  if (deal_id == NULL)
    return;
  if (g_str_equal (action_name, "pipeline.edit-selected"))
    gtk_widget_activate_action (widget, "pipeline.edit-deal", "s", deal_id);
  else if (g_str_equal (action_name, "pipeline.delete-selected"))
    gtk_widget_activate_action (widget, "pipeline.delete-deal", "s", deal_id);
  else if (g_str_equal (action_name, "pipeline.mark-won-selected"))
    gtk_widget_activate_action (widget, "pipeline.mark-won", "s", deal_id);
  else if (g_str_equal (action_name, "pipeline.mark-lost-selected"))
    for (stage = 0; stage < crm_deal_board_get_n_stages (self->board); stage++)
      if (crm_deal_board_get_stage_is_lost (self->board, stage))
        {
          move_deal (self, deal_id, -1, stage, INDEX_KEEP);
          break;
        }
}

static void
delete_deal_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *deal_id = g_variant_get_string (parameter, NULL);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;

  if (!crm_store_delete (get_store (self), CRM_TYPE_DEAL, deal_id, &error))
    {
      show_error (self, error);
      return;
    }
  crm_change_set_remember_delete (undo, CRM_TYPE_DEAL, deal_id);
  if (g_strcmp0 (self->selected_deal, deal_id) == 0)
    select_deal (self, NULL);
  show_undo_toast (self, _("Deal deleted"), undo);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(CrmChangeSet) undo = g_steal_pointer (&self->undo);
  g_autoptr(GError) error = NULL;

  if (undo == NULL)
    return;
  if (!crm_change_set_revert (undo, &error))
    show_error (self, error);
  else
    {
      /* Shown at once, not at the next idle reload. */
      if (!crm_deal_board_reload (self->board, &error))
        show_error (self, error);
      if (self->undo_toast != NULL)
        {
          adw_toast_set_title (self->undo_toast, _("Undone"));
          adw_toast_set_button_label (self->undo_toast, NULL);
          adw_toast_set_action_name (self->undo_toast, NULL);
          g_clear_object (&self->undo_toast);
        }
    }
  update_actions (self);
}

/* --- Editor ---------------------------------------------------------------- */

static void
on_editor_saved (CrmDealEditor   *editor,
                 CrmChangeSet    *undo,
                 const char      *message,
                 CrmPipelinePage *self)
{
  g_autoptr(GError) error = NULL;

  if (!crm_deal_board_reload (self->board, &error))
    show_error (self, error);
  show_undo_toast (self, message, undo);
  select_in_column (self, crm_deal_editor_get_deal_id (editor));
}

static void
open_editor (CrmPipelinePage *self,
             const char      *deal_id,
             const char      *stage_id)
{
  CrmDealEditor *editor;

  if (self->board == NULL || crm_deal_board_get_n_stages (self->board) == 0)
    return;
  if (self->editor != NULL)
    gtk_window_destroy (self->editor);
  editor = crm_deal_editor_new (self->board, deal_id, stage_id);
  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_saved), self, 0);
  g_set_weak_pointer (&self->editor, GTK_WINDOW (editor));
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_deal_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_editor (CRM_PIPELINE_PAGE (widget), NULL, NULL);
}

static void
edit_deal_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);

  select_deal (self, g_variant_get_string (parameter, NULL));
  open_editor (self, g_variant_get_string (parameter, NULL), NULL);
}

static void
create_default_pipeline_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = crm_pipeline_create_with_stages (get_store (self), _("Sales"), NULL, &error);

  if (id == NULL || !crm_deal_board_reload (self->board, &error))
    show_error (self, error);
}

/* --- Filters and views ----------------------------------------------------- */

static void
on_pipeline_selected (CrmPipelinePage *self)
{
  guint i = gtk_drop_down_get_selected (self->pipeline_dropdown);

  if (self->filling || self->board == NULL || i >= crm_deal_board_get_n_pipelines (self->board))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.select-pipeline", "s",
                              crm_deal_board_get_pipeline_id_at (self->board, i));
}

static void
select_pipeline_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->board == NULL)
    return;

  crm_deal_board_set_pipeline_id (self->board, g_variant_get_string (parameter, NULL));
  if (!crm_deal_board_reload (self->board, &error))
    show_error (self, error);
}

static void
on_owner_selected (CrmPipelinePage *self)
{
  guint i = gtk_drop_down_get_selected (self->owner_dropdown);

  if (self->filling || self->board == NULL || i >= self->owner_ids->len)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.filter-owner", "s",
                              (const char *) g_ptr_array_index (self->owner_ids, i));
}

static void
filter_owner_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *owner = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;

  if (self->board == NULL)
    return;

  for (guint i = 0; i < self->owner_ids->len; i++)
    if (g_str_equal (g_ptr_array_index (self->owner_ids, i), owner))
      {
        self->filling = TRUE;
        gtk_drop_down_set_selected (self->owner_dropdown, i);
        self->filling = FALSE;
      }
  crm_deal_board_set_owner_id (self->board, owner);
  if (!crm_deal_board_reload (self->board, &error))
    show_error (self, error);
}

static void
on_period_selected (CrmPipelinePage *self)
{
  guint i = gtk_drop_down_get_selected (self->period_dropdown);

  if (self->filling || self->board == NULL || i >= G_N_ELEMENTS (periods))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.filter-period", "s", periods[i].id);
}

static void
filter_period_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *period = g_variant_get_string (parameter, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  int y = g_date_time_get_year (now);
  int m = g_date_time_get_month (now);

  if (self->board == NULL)
    return;

  if (g_str_equal (period, "this-month"))
    {
      from = g_strdup_printf ("%04d-%02d-01", y, m);
      to = g_strdup_printf ("%04d-%02d-01", y + m / 12, m % 12 + 1);
    }
  else if (g_str_equal (period, "next-month"))
    {
      int y1 = y + m / 12, m1 = m % 12 + 1;

      from = g_strdup_printf ("%04d-%02d-01", y1, m1);
      to = g_strdup_printf ("%04d-%02d-01", y1 + m1 / 12, m1 % 12 + 1);
    }
  else if (g_str_equal (period, "this-quarter"))
    {
      int q = (m - 1) / 3 * 3 + 1;

      from = g_strdup_printf ("%04d-%02d-01", y, q);
      to = g_strdup_printf ("%04d-%02d-01", y + (q + 2) / 12, (q + 2) % 12 + 1);
    }
  else if (g_str_equal (period, "this-year"))
    {
      from = g_strdup_printf ("%04d-01-01", y);
      to = g_strdup_printf ("%04d-01-01", y + 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    if (g_str_equal (periods[i].id, period))
      {
        self->filling = TRUE;
        gtk_drop_down_set_selected (self->period_dropdown, i);
        self->filling = FALSE;
      }
  crm_deal_board_set_period (self->board, from, to);
  if (!crm_deal_board_reload (self->board, &error))
    show_error (self, error);
}

/* pipeline.filter-amount (min, max): in minor units, 0 for no bound. */
static void
filter_amount_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(GError) error = NULL;
  gint64 min, max;

  if (self->board == NULL)
    return;
  g_variant_get (parameter, "(xx)", &min, &max);
  min = MAX (min, 0);
  max = MAX (max, 0);
  if (min > 0 && max > 0 && min > max)
    {
      gint64 t = min;

      min = max;
      max = t;
    }
  crm_deal_board_set_min_amount (self->board, min);
  crm_deal_board_set_max_amount (self->board, max);
  if (!crm_deal_board_reload (self->board, &error))
    show_error (self, error);
}

static gboolean
parse_bound (GtkEntry  *entry,
             gint64    *out_minor,
             GError   **error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  *out_minor = 0;
  if (*text == '\0')
    return TRUE;
  if (!crm_value_parse_money ("amount", text, out_minor, error))
    return FALSE;
  if (*out_minor < 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” is below zero: leave it empty for no bound."), text);
      return FALSE;
    }
  return TRUE;
}

static void
on_amount_apply (CrmPipelinePage *self)
{
  g_autoptr(GError) error = NULL;
  gint64 min, max;

  if (!parse_bound (self->min_entry, &min, &error) || !parse_bound (self->max_entry, &max, &error))
    {
      gtk_label_set_text (self->amount_problem, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->amount_problem), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->amount_problem), FALSE);
  gtk_popover_popdown (self->amount_popover);
  gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.filter-amount", "(xx)", min, max);
}

static void
on_amount_clear (CrmPipelinePage *self)
{
  gtk_popover_popdown (self->amount_popover);
  gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.filter-amount", "(xx)", (gint64) 0, (gint64) 0);
}

/* The entries show the bounds in force when the popover opens. */
static void
on_amount_popover_show (CrmPipelinePage *self)
{
  gint64 min = self->board != NULL ? crm_deal_board_get_min_amount (self->board) : 0;
  gint64 max = self->board != NULL ? crm_deal_board_get_max_amount (self->board) : 0;
  g_autofree char *min_text = min > 0 ? crm_value_format_money (min) : g_strdup ("");
  g_autofree char *max_text = max > 0 ? crm_value_format_money (max) : g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (self->min_entry), min_text);
  gtk_editable_set_text (GTK_EDITABLE (self->max_entry), max_text);
  gtk_widget_set_visible (GTK_WIDGET (self->amount_problem), FALSE);
}

/* pipeline.reset-filters: every deal of the pipeline again. */
static void
reset_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->board == NULL)
    return;
  self->filling = TRUE;
  gtk_drop_down_set_selected (self->owner_dropdown, 0);
  gtk_drop_down_set_selected (self->period_dropdown, 0);
  self->filling = FALSE;
  crm_deal_board_set_owner_id (self->board, NULL);
  crm_deal_board_set_period (self->board, NULL, NULL);
  crm_deal_board_set_min_amount (self->board, 0);
  crm_deal_board_set_max_amount (self->board, 0);
  if (!crm_deal_board_reload (self->board, &error))
    show_error (self, error);
}

static void
on_group_selected (CrmPipelinePage *self)
{
  guint i = gtk_drop_down_get_selected (self->group_dropdown);

  if (self->filling || i >= CRM_DEAL_N_GROUPS)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.group-by", "s", crm_deal_group_to_string (i));
}

static void
apply_group (CrmPipelinePage *self,
             CrmDealGroup     group)
{
  self->filling = TRUE;
  gtk_drop_down_set_selected (self->group_dropdown, group);
  self->filling = FALSE;
  if (self->lanes != NULL && crm_deal_lanes_get_group (self->lanes) != group)
    {
      crm_deal_lanes_set_group (self->lanes, group);
      /* Back to no lanes emits no lanes-changed when there were none. */
      rebuild_board (self);
    }
}

/* pipeline.group-by (none, owner, customer, organization, currency,
 * close-month, amount): lanes on the board, remembered. */
static void
group_by_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  CrmDealGroup group;

  if (!crm_deal_group_from_string (g_variant_get_string (parameter, NULL), &group))
    return;
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "pipeline-group-by", crm_deal_group_to_string (group));
  apply_group (self, group);
}

static void
view_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *view = g_variant_get_string (parameter, NULL);

  if (!g_str_equal (view, "board") && !g_str_equal (view, "list"))
    return;
  g_free (self->view);
  self->view = g_strdup (view);
  gtk_toggle_button_set_active (self->board_button, g_str_equal (view, "board"));
  gtk_toggle_button_set_active (self->list_button, g_str_equal (view, "list"));
  /* Lanes are for the board. */
  gtk_widget_set_visible (GTK_WIDGET (self->group_dropdown), g_str_equal (view, "board"));
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "pipeline-view", view);
  if (self->board != NULL)
    update_view (self);
  update_actions (self);
}

/* --- Forecast -------------------------------------------------------------- */

static void
grid_text (GtkGrid    *grid,
           int         column,
           int         row,
           const char *text,
           gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_widget_add_css_class (label, heading ? "heading" : "numeric");
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

static void
on_forecast_show (CrmPipelinePage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *first = g_date_time_format (now, "%Y-%m");
  g_autoptr(CrmForecast) forecast = NULL;
  g_autoptr(GString) rates = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->forecast_grid))) != NULL)
    gtk_grid_remove (self->forecast_grid, child);
  if (self->board == NULL)
    return;
  forecast = crm_forecast_compute (get_store (self), crm_deal_board_get_pipeline_id (self->board),
                                   crm_deal_board_get_owner_id (self->board), first, 6, &error);
  if (forecast == NULL)
    {
      gtk_label_set_text (self->forecast_rates, error->message);
      return;
    }

  grid_text (self->forecast_grid, 0, 0, _("Month"), TRUE);
  grid_text (self->forecast_grid, 1, 0, _("Open"), TRUE);
  grid_text (self->forecast_grid, 2, 0, _("Weighted"), TRUE);
  grid_text (self->forecast_grid, 3, 0, _("Won"), TRUE);
  grid_text (self->forecast_grid, 4, 0, _("Target"), TRUE);
  for (guint i = 0; i < forecast->n_months; i++)
    {
      CrmForecastMonth *m = &forecast->months[i];
      g_autofree char *open = crm_format_money (m->open_amount, NULL);
      g_autofree char *weighted = crm_format_money (m->weighted, NULL);
      g_autofree char *won = crm_format_money (m->won_amount, NULL);
      g_autofree char *target = m->target > 0 ? crm_format_money (m->target, NULL) : g_strdup ("—");

      grid_text (self->forecast_grid, 0, (int) i + 1, m->month, FALSE);
      grid_text (self->forecast_grid, 1, (int) i + 1, open, FALSE);
      grid_text (self->forecast_grid, 2, (int) i + 1, weighted, FALSE);
      grid_text (self->forecast_grid, 3, (int) i + 1, won, FALSE);
      grid_text (self->forecast_grid, 4, (int) i + 1, target, FALSE);
    }

  if (forecast->win_rate >= 0)
    /* Translators: share of deals won among those closed, e.g. "Win rate 45 %" */
    g_string_append_printf (rates, _("Win rate %.0f %%"), forecast->win_rate * 100);
  if (forecast->average_cycle_days >= 0)
    {
      if (rates->len > 0)
        g_string_append (rates, " · ");
      g_string_append_printf (rates, _("average sales cycle %.0f days"), forecast->average_cycle_days);
    }
  for (guint s = 0; s + 1 < forecast->n_stages; s++)
    if (forecast->stages[s].conversion >= 0)
      {
        g_string_append (rates, s == 0 ? "\n" : ", ");
        /* Translators: conversion from one stage to the next, e.g. "Proposal → Negotiation 60 %" */
        g_string_append_printf (rates, _("%s → %s %.0f %%"), forecast->stages[s].name,
                                forecast->stages[s + 1].name, forecast->stages[s].conversion * 100);
      }
  gtk_label_set_text (self->forecast_rates, rates->str);
}

/* --- List view ------------------------------------------------------------- */

typedef enum
{
  LIST_TITLE,
  LIST_CUSTOMER,
  LIST_STAGE,
  LIST_AMOUNT,
  LIST_CLOSE,
  LIST_OWNER,
  LIST_DAYS,
  N_LIST_COLUMNS
} ListColumn;

static char *
list_cell_text (CrmPipelinePage *self,
                CrmDealCard     *card,
                ListColumn       column)
{
  int stage;

  switch (column)
    {
    case LIST_TITLE:
      return g_strdup (crm_deal_card_get_title (card));
    case LIST_CUSTOMER:
      return crm_deal_card_format_customer (card);
    case LIST_STAGE:
      stage = crm_deal_board_find_stage (self->board, crm_deal_card_get_stage_id (card));
      return g_strdup (stage >= 0 ? crm_deal_board_get_stage_name (self->board, stage) : "");
    case LIST_AMOUNT:
      return crm_format_money (crm_deal_card_get_amount (card), crm_deal_card_get_currency (card));
    case LIST_CLOSE:
      return g_strdup (crm_deal_card_get_close_date (card) != NULL ? crm_deal_card_get_close_date (card) : "");
    case LIST_OWNER:
      return g_strdup (crm_deal_card_get_owner_name (card) != NULL ? crm_deal_card_get_owner_name (card) : "");
    case LIST_DAYS:
      return crm_deal_card_get_closed (card) ? g_strdup ("") : crm_deal_card_format_days (card);
    case N_LIST_COLUMNS:
    default:
      return NULL;
    }
}

static void
setup_list_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (column) == LIST_AMOUNT ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (GPOINTER_TO_INT (column) == LIST_AMOUNT || GPOINTER_TO_INT (column) == LIST_CLOSE)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_list_cell (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  column)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  CrmPipelinePage *self = g_object_get_data (G_OBJECT (factory), "page");
  g_autofree char *text = list_cell_text (self, card_of (item), GPOINTER_TO_INT (column));

  gtk_label_set_text (GTK_LABEL (label), text);
}

static int
compare_cards (gconstpointer a,
               gconstpointer b,
               gpointer      column)
{
  CrmDealCard *x = (CrmDealCard *) a;
  CrmDealCard *y = (CrmDealCard *) b;

  switch (GPOINTER_TO_INT (column))
    {
    case LIST_AMOUNT:
      return (crm_deal_card_get_amount (x) > crm_deal_card_get_amount (y)) -
             (crm_deal_card_get_amount (x) < crm_deal_card_get_amount (y));
    case LIST_DAYS:
      return crm_deal_card_get_days_in_stage (x) - crm_deal_card_get_days_in_stage (y);
    case LIST_CLOSE:
      return g_strcmp0 (crm_deal_card_get_close_date (x), crm_deal_card_get_close_date (y));
    case LIST_OWNER:
      return g_strcmp0 (crm_deal_card_get_owner_name (x), crm_deal_card_get_owner_name (y));
    case LIST_CUSTOMER:
      return g_strcmp0 (crm_deal_card_get_contact_name (x), crm_deal_card_get_contact_name (y));
    case LIST_STAGE:
      return 0;   /* the flattened model is already in stage order */
    case LIST_TITLE:
    case N_LIST_COLUMNS:
    default:
      return g_strcmp0 (crm_deal_card_get_title (x), crm_deal_card_get_title (y));
    }
}

static void
on_list_activate (CrmPipelinePage *self,
                  guint            position)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (self->list_view));
  g_autoptr(CrmDealCard) card = g_list_model_get_item (model, position);

  if (card != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.edit-deal", "s", crm_deal_card_get_id (card));
}

/* The ids of the rows selected in the list, NULL-terminated. */
static GStrv
selected_ids (CrmPipelinePage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->list_selection));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GtkBitsetIter iter;
  guint position;

  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (G_LIST_MODEL (self->list_selection), position);

      if (card != NULL)
        g_strv_builder_add (builder, crm_deal_card_get_id (card));
    }
  return g_strv_builder_end (builder);
}

static guint
n_selected_rows (CrmPipelinePage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->list_selection));

  return (guint) gtk_bitset_get_size (selected);
}

static void
on_list_selection_changed (GtkSelectionModel *selection,
                           guint              position,
                           guint              n_items,
                           CrmPipelinePage   *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (selection);
  guint n = (guint) gtk_bitset_get_size (selected);
  g_autofree char *text = NULL;

  /* One row: it is also the deal the keyboard actions apply to. */
  if (n == 1)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (G_LIST_MODEL (selection), gtk_bitset_get_minimum (selected));

      if (card != NULL)
        select_deal (self, crm_deal_card_get_id (card));
    }
  /* Translators: the list's action bar, how many rows are selected */
  text = g_strdup_printf (ngettext ("%u deal selected", "%u deals selected", n), n);
  gtk_label_set_text (self->bulk_label, text);
  gtk_revealer_set_reveal_child (self->bulk_revealer, n > 0);
  update_actions (self);
}

static void
create_list_columns (CrmPipelinePage *self)
{
  static const char *titles[N_LIST_COLUMNS] = {
    N_("Deal"), N_("Customer"), N_("Stage"), N_("Amount"), N_("Close date"), N_("Owner"), N_("In stage"),
  };
  GtkFlattenListModel *flat = gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->all_columns)));

  self->list_sorted = gtk_sort_list_model_new (G_LIST_MODEL (flat), NULL);
  self->list_selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->list_sorted)));
  g_signal_connect_object (self->list_selection, "selection-changed", G_CALLBACK (on_list_selection_changed), self, 0);
  gtk_column_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->list_selection));

  for (int i = 0; i < N_LIST_COLUMNS; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;
      GtkSorter *sorter = GTK_SORTER (gtk_custom_sorter_new (compare_cards, GINT_TO_POINTER (i), NULL));

      g_object_set_data (G_OBJECT (factory), "page", self);
      g_signal_connect (factory, "setup", G_CALLBACK (setup_list_cell), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_list_cell), GINT_TO_POINTER (i));
      column = gtk_column_view_column_new (_(titles[i]), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, i == LIST_TITLE || i == LIST_CUSTOMER);
      if (i != LIST_STAGE)
        gtk_column_view_column_set_sorter (column, sorter);
      g_object_unref (sorter);
      gtk_column_view_append_column (self->list_view, column);
      g_object_unref (column);
    }
  gtk_sort_list_model_set_sorter (self->list_sorted, gtk_column_view_get_sorter (self->list_view));
}

/* --- Bulk actions on the list's selection ---------------------------------- */

/* The stages and owners the action bar offers. */
static void
rebuild_bulk_menus (CrmPipelinePage *self)
{
  g_autoptr(GMenu) stages = g_menu_new ();
  g_autoptr(GMenu) owners = g_menu_new ();

  for (guint s = 0; self->board != NULL && s < crm_deal_board_get_n_stages (self->board); s++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (crm_deal_board_get_stage_name (self->board, s), NULL);

      g_menu_item_set_action_and_target_value (item, "pipeline.bulk-move",
                                               g_variant_new_string (crm_deal_board_get_stage_id (self->board, s)));
      g_menu_append_item (stages, item);
    }
  /* owner_ids[0] is "everyone" in the filter; here it means nobody. */
  for (guint i = 0; i < self->owner_ids->len; i++)
    {
      const char *id = g_ptr_array_index (self->owner_ids, i);
      GtkStringObject *name = g_list_model_get_item (gtk_drop_down_get_model (self->owner_dropdown), i);
      g_autoptr(GMenuItem) item = g_menu_item_new (*id == '\0' ? _("Nobody") : gtk_string_object_get_string (name), NULL);

      g_menu_item_set_action_and_target_value (item, "pipeline.bulk-assign", g_variant_new_string (id));
      g_menu_append_item (owners, item);
      g_clear_object (&name);
    }
  gtk_menu_button_set_menu_model (self->bulk_move_button, G_MENU_MODEL (stages));
  gtk_menu_button_set_menu_model (self->bulk_owner_button, G_MENU_MODEL (owners));
}

static void
finish_bulk (CrmPipelinePage *self,
             CrmChangeSet    *undo,
             const char      *title)
{
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->list_selection));
  if (crm_change_set_get_n_rows (undo) > 0)
    show_undo_toast (self, title, undo);
}

static void
bulk_move (CrmPipelinePage    *self,
           const char * const *deal_ids,
           guint               stage,
           const char         *reason)
{
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *stage_name = g_strdup (crm_deal_board_get_stage_name (self->board, stage));
  g_autofree char *title = NULL;
  guint n = g_strv_length ((GStrv) deal_ids);

  if (!crm_deal_board_move_many (self->board, deal_ids, stage, reason, undo, &error))
    {
      show_error (self, error);
      return;
    }
  if (crm_deal_board_get_stage_is_won (self->board, stage))
    title = g_strdup_printf (ngettext ("%u deal marked won", "%u deals marked won", n), n);
  else if (crm_deal_board_get_stage_is_lost (self->board, stage))
    title = g_strdup_printf (ngettext ("%u deal marked lost", "%u deals marked lost", n), n);
  else
    /* Translators: after moving deals selected in the list; %s is the stage */
    title = g_strdup_printf (ngettext ("%u deal moved to %s", "%u deals moved to %s", n), n, stage_name);
  finish_bulk (self, undo, title);
}

/* pipeline.bulk-move (stage id): the selected deals to a stage, keeping
 * their order; to a lost stage it asks why, once for all. */
static void
bulk_move_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_auto(GStrv) ids = selected_ids (self);
  int stage = crm_deal_board_find_stage (self->board, g_variant_get_string (parameter, NULL));

  if (stage < 0 || ids[0] == NULL)
    return;
  if (crm_deal_board_get_stage_is_lost (self->board, stage))
    ask_lost_reason (self, NULL, (const char * const *) ids, -1, (guint) stage, INDEX_KEEP);
  else
    bulk_move (self, (const char * const *) ids, (guint) stage, NULL);
}

static int
first_stage (CrmPipelinePage *self,
             gboolean         won)
{
  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    if (won ? crm_deal_board_get_stage_is_won (self->board, s) : crm_deal_board_get_stage_is_lost (self->board, s))
      return (int) s;
  return -1;
}

/* pipeline.bulk-won, pipeline.bulk-lost (reason), pipeline.bulk-lost-prompt */
static void
bulk_close_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_auto(GStrv) ids = selected_ids (self);
  gboolean won = g_str_equal (action_name, "pipeline.bulk-won");
  int stage = first_stage (self, won);

  if (stage < 0 || ids[0] == NULL)
    return;
  if (won)
    bulk_move (self, (const char * const *) ids, (guint) stage, NULL);
  else if (parameter != NULL)
    bulk_move (self, (const char * const *) ids, (guint) stage, g_variant_get_string (parameter, NULL));
  else
    ask_lost_reason (self, NULL, (const char * const *) ids, -1, (guint) stage, INDEX_KEEP);
}

/* pipeline.bulk-assign (owner id, "" for nobody) */
static void
bulk_assign_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_auto(GStrv) ids = selected_ids (self);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  guint n = g_strv_length (ids);

  if (n == 0)
    return;
  if (!crm_deal_board_set_owner (self->board, (const char * const *) ids, g_variant_get_string (parameter, NULL),
                                 undo, &error))
    {
      show_error (self, error);
      return;
    }
  title = g_strdup_printf (ngettext ("%u deal assigned", "%u deals assigned", n), n);
  finish_bulk (self, undo, title);
}

/* pipeline.bulk-delete: at once (the prompt asks first); one undo. */
static void
bulk_delete_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_auto(GStrv) ids = selected_ids (self);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  guint n = g_strv_length (ids);

  if (n == 0)
    return;
  if (!crm_deal_board_delete (self->board, (const char * const *) ids, undo, &error))
    {
      show_error (self, error);
      return;
    }
  if (self->selected_deal != NULL && g_strv_contains ((const char * const *) ids, self->selected_deal))
    select_deal (self, NULL);
  title = g_strdup_printf (ngettext ("%u deal deleted", "%u deals deleted", n), n);
  finish_bulk (self, undo, title);
}

static void
on_bulk_delete_response (AdwMessageDialog *dialog,
                         const char       *response,
                         CrmPipelinePage  *self)
{
  if (g_str_equal (response, "delete"))
    gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.bulk-delete", NULL);
}

static void
bulk_delete_prompt_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  guint n = n_selected_rows (self);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (n == 0)
    return;
  heading = g_strdup_printf (ngettext ("Delete %u deal?", "Delete %u deals?", n), n);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   _("Undo, right after, brings them back."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_bulk_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* pipeline.select-all (Ctrl+A) and pipeline.unselect-all, in the list */
static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);

  if (g_str_equal (action_name, "pipeline.select-all"))
    gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->list_selection));
  else
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->list_selection));
}

/* --- Printing ------------------------------------------------------------- */

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                CrmReport         *report)
{
  gtk_print_operation_set_n_pages (operation, (int) crm_report_paginate (report));
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              CrmReport         *report)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double scale = MIN (gtk_print_context_get_width (context) / crm_report_get_page_width (report),
                      gtk_print_context_get_height (context) / crm_report_get_page_height (report));

  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  crm_report_render_page (report, cr, (guint) page);
  cairo_restore (cr);
}

/* The board as it is filtered now, through GtkPrintOperation: the print
 * dialog, or straight to a PDF at @export_path. */
static gboolean
print_board (CrmPipelinePage  *self,
             const char       *export_path,
             GError          **error)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  CrmReport *report = crm_pipeline_report_new (self->board, NULL, error);
  GtkPrintOperationResult result;

  if (report == NULL)
    return FALSE;
  g_object_set_data_full (G_OBJECT (operation), "report", report, (GDestroyNotify) crm_report_free);
  gtk_page_setup_set_paper_size (setup, a4);
  gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_LANDSCAPE);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_job_name (operation, _("Sales pipeline"));
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print), report);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), report);
  if (export_path != NULL)
    gtk_print_operation_set_export_filename (operation, export_path);
  result = gtk_print_operation_run (operation,
                                    export_path != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                        : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), error);
  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (!print_board (self, NULL, &error))
    show_error (self, error);
}

/* pipeline.export-pdf (path): what printing to a file does, without the
 * dialog. */
static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (!print_board (self, g_variant_get_string (parameter, NULL), &error))
    show_error (self, error);
}

/* --- Stages ----------------------------------------------------------------- */

static gboolean
reload_or_show (CrmPipelinePage *self)
{
  g_autoptr(GError) error = NULL;

  if (!crm_deal_board_reload (self->board, &error))
    {
      show_error (self, error);
      return FALSE;
    }
  return TRUE;
}

/* pipeline.rename-stage (stage id, name) */
static void
rename_stage_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(CrmRecord) stage = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const fields[] = { "name", NULL };
  const char *id, *name;

  g_variant_get (parameter, "(&s&s)", &id, &name);
  stage = crm_store_get (get_store (self), CRM_TYPE_STAGE, id, &error);
  if (stage != NULL)
    {
      crm_change_set_remember_fields (undo, stage, fields);
      if (crm_record_set_field_from_string (stage, "name", name, &error))
        crm_store_update (get_store (self), stage, &error);
    }
  if (error != NULL)
    {
      show_error (self, error);
      return;
    }
  if (reload_or_show (self))
    show_undo_toast (self, _("Stage renamed"), undo);
}

/* pipeline.add-stage (after stage id, name): an open stage right after
 * the given one, with the probability halfway to the next. */
static void
add_stage_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(CrmStage) stage = crm_stage_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *after, *name;
  int index, probability;
  guint n_open = 0;

  g_variant_get (parameter, "(&s&s)", &after, &name);
  index = crm_deal_board_find_stage (self->board, after);
  if (index < 0)
    return;
  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    if (!crm_deal_board_get_stage_is_won (self->board, s) && !crm_deal_board_get_stage_is_lost (self->board, s))
      n_open++;
  /* New stages are open ones: after the last open stage at the latest. */
  index = MIN (index, (int) n_open - 1);
  probability = index >= 0 ? crm_deal_board_get_stage_probability (self->board, index) : 0;
  if ((guint) (index + 1) < n_open)
    probability = (probability + crm_deal_board_get_stage_probability (self->board, index + 1)) / 2;
  else
    probability = (probability + 100) / 2;

  g_object_set (stage, "pipeline-id", crm_deal_board_get_pipeline_id (self->board),
                "probability", (gint64) probability, NULL);
  if (!crm_record_set_field_from_string (CRM_RECORD (stage), "name", name, &error) ||
      !crm_store_begin (get_store (self), &error))
    {
      show_error (self, error);
      return;
    }
  if (!crm_store_insert (get_store (self), CRM_RECORD (stage), &error))
    {
      crm_store_rollback (get_store (self));
      show_error (self, error);
      return;
    }
  crm_change_set_remember_insert (undo, CRM_RECORD (stage));
  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    {
      g_ptr_array_add (order, (gpointer) crm_deal_board_get_stage_id (self->board, s));
      if ((int) s == index)
        g_ptr_array_add (order, (gpointer) crm_record_get_id (CRM_RECORD (stage)));
    }
  if (index < 0)
    g_ptr_array_insert (order, 0, (gpointer) crm_record_get_id (CRM_RECORD (stage)));
  g_ptr_array_add (order, NULL);
  if (!crm_stage_reorder (get_store (self), (const char * const *) order->pdata, undo, &error) ||
      !crm_store_commit (get_store (self), &error))
    {
      crm_store_rollback (get_store (self));
      show_error (self, error);
      return;
    }
  if (reload_or_show (self))
    show_undo_toast (self, _("Stage added"), undo);
}

static void
move_stage_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int step = g_str_equal (action_name, "pipeline.move-stage-right") ? 1 : -1;
  int index = crm_deal_board_find_stage (self->board, g_variant_get_string (parameter, NULL));
  int other = index + step;
  guint n = crm_deal_board_get_n_stages (self->board);

  /* Open stages swap among themselves; won and lost stay at the end. */
  if (index < 0 || other < 0 || other >= (int) n ||
      crm_deal_board_get_stage_is_won (self->board, index) || crm_deal_board_get_stage_is_lost (self->board, index) ||
      crm_deal_board_get_stage_is_won (self->board, other) || crm_deal_board_get_stage_is_lost (self->board, other))
    return;
  for (guint s = 0; s < n; s++)
    {
      guint from = (int) s == index ? (guint) other : (int) s == other ? (guint) index : s;

      g_ptr_array_add (order, (gpointer) crm_deal_board_get_stage_id (self->board, from));
    }
  g_ptr_array_add (order, NULL);
  if (!crm_stage_reorder (get_store (self), (const char * const *) order->pdata, undo, &error))
    {
      show_error (self, error);
      return;
    }
  if (reload_or_show (self))
    show_undo_toast (self, _("Stage moved"), undo);
}

/* pipeline.delete-stage (stage id, target stage id): its deals go to the
 * target first. */
static void
delete_stage_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;
  const char *id, *target;

  g_variant_get (parameter, "(&s&s)", &id, &target);
  if (!crm_stage_delete_reassigning (get_store (self), id, *target != '\0' ? target : NULL, undo, &error))
    {
      show_error (self, error);
      return;
    }
  if (reload_or_show (self))
    show_undo_toast (self, _("Stage deleted"), undo);
}

typedef struct
{
  CrmPipelinePage *self;
  char            *stage_id;
  char            *action;
  GtkEditable     *entry;
  GtkDropDown     *targets;
  GPtrArray       *target_ids;
} StagePrompt;

static void
stage_prompt_free (StagePrompt *prompt)
{
  g_object_unref (prompt->self);
  g_free (prompt->stage_id);
  g_free (prompt->action);
  g_clear_pointer (&prompt->target_ids, g_ptr_array_unref);
  g_free (prompt);
}

static void
on_stage_prompt_response (AdwMessageDialog *dialog,
                          const char       *response,
                          StagePrompt      *prompt)
{
  if (g_str_equal (response, "apply"))
    {
      const char *second = "";

      if (prompt->entry != NULL)
        second = gtk_editable_get_text (prompt->entry);
      else if (prompt->targets != NULL)
        {
          guint i = gtk_drop_down_get_selected (prompt->targets);

          if (i < prompt->target_ids->len)
            second = g_ptr_array_index (prompt->target_ids, i);
        }
      gtk_widget_activate_action (GTK_WIDGET (prompt->self), prompt->action, "(ss)", prompt->stage_id, second);
    }
  stage_prompt_free (prompt);
}

static void
stage_prompt_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  int index = crm_deal_board_find_stage (self->board, id);
  StagePrompt *prompt;
  GtkWidget *dialog;
  const char *stage_name;

  if (index < 0)
    return;
  stage_name = crm_deal_board_get_stage_name (self->board, index);
  prompt = g_new0 (StagePrompt, 1);
  prompt->self = g_object_ref (self);
  prompt->stage_id = g_strdup (id);
  if (g_str_equal (action_name, "pipeline.delete-stage-prompt"))
    {
      guint n = g_list_model_get_n_items (crm_deal_board_get_deals (self->board, index));
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      g_autofree char *body = NULL;

      prompt->action = g_strdup ("pipeline.delete-stage");
      prompt->target_ids = g_ptr_array_new_with_free_func (g_free);
      for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
        if ((int) s != index)
          {
            gtk_string_list_append (names, crm_deal_board_get_stage_name (self->board, s));
            g_ptr_array_add (prompt->target_ids, g_strdup (crm_deal_board_get_stage_id (self->board, s)));
          }
      body = g_strdup_printf (ngettext ("Its %u deal moves to the stage chosen below; the move is recorded in its history.",
                                        "Its %u deals move to the stage chosen below; each move is recorded in their history.", n), n);
      dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL, body);
      adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Delete the stage “%s”?"), stage_name);
      prompt->targets = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&names)), NULL));
      gtk_drop_down_set_selected (prompt->targets, index > 0 ? (guint) index - 1 : 0);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), GTK_WIDGET (prompt->targets));
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "apply", _("_Delete"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_DESTRUCTIVE);
    }
  else
    {
      gboolean rename = g_str_equal (action_name, "pipeline.rename-stage-prompt");

      prompt->action = g_strdup (rename ? "pipeline.rename-stage" : "pipeline.add-stage");
      dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                       rename ? _("Rename Stage") : _("Add Stage"), NULL);
      prompt->entry = GTK_EDITABLE (gtk_entry_new ());
      gtk_entry_set_activates_default (GTK_ENTRY (prompt->entry), TRUE);
      if (rename)
        gtk_editable_set_text (prompt->entry, stage_name);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), GTK_WIDGET (prompt->entry));
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                        "apply", rename ? _("_Rename") : _("_Add"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_SUGGESTED);
    }
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_stage_prompt_response), prompt);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Actions --------------------------------------------------------------- */

static void
update_actions (CrmPipelinePage *self)
{
  gboolean has_board = self->board != NULL && crm_deal_board_get_n_stages (self->board) > 0;
  gboolean selected = has_board && self->selected_deal != NULL &&
                      crm_deal_board_find_deal (self->board, self->selected_deal, NULL, NULL) != NULL;
  gboolean in_list = has_board && self->view != NULL && g_str_equal (self->view, "list");
  guint n_rows = self->list_selection != NULL ? n_selected_rows (self) : 0;
  static const char * const bulk_actions[] = {
    "pipeline.bulk-move", "pipeline.bulk-assign", "pipeline.bulk-won", "pipeline.bulk-lost",
    "pipeline.bulk-lost-prompt", "pipeline.bulk-delete", "pipeline.bulk-delete-prompt", "pipeline.unselect-all",
  };

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.new-deal", has_board);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.print", has_board);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.export-pdf", has_board);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.undo", self->undo != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.move-next", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.move-previous", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.edit-selected", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.delete-selected",
                                 selected || (in_list && n_rows > 0));
  for (guint i = 0; i < G_N_ELEMENTS (bulk_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), bulk_actions[i], in_list && n_rows > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.select-all", in_list);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.mark-won-selected", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.mark-lost-selected", selected);
}

static void
fill_owners (CrmPipelinePage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) users = crm_user_directory_list (get_store (self), NULL);

  g_ptr_array_set_size (self->owner_ids, 0);
  gtk_string_list_append (names, _("All owners"));
  g_ptr_array_add (self->owner_ids, g_strdup (""));
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *user = g_ptr_array_index (users, i);

      gtk_string_list_append (names, user->name);
      g_ptr_array_add (self->owner_ids, g_strdup (user->id));
    }
  self->filling = TRUE;
  gtk_drop_down_set_model (self->owner_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->owner_dropdown, 0);
  self->filling = FALSE;
  rebuild_bulk_menus (self);
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_pipeline_page_dispose (GObject *object)
{
  CrmPipelinePage *self = (CrmPipelinePage *)object;

  if (self->editor != NULL)
    gtk_window_destroy (self->editor);
  g_clear_weak_pointer (&self->editor);
  if (self->board != NULL)
    g_signal_handlers_disconnect_by_data (self->board, self);
  if (self->lanes != NULL)
    g_signal_handlers_disconnect_by_data (self->lanes, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_PIPELINE_PAGE);
  g_clear_object (&self->list_selection);
  g_clear_object (&self->lanes);
  g_clear_object (&self->settings);
  g_clear_object (&self->list_sorted);
  g_clear_object (&self->all_columns);
  g_clear_object (&self->board);
  g_clear_object (&self->undo);
  g_clear_object (&self->undo_toast);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_pipeline_page_parent_class)->dispose (object);
}

static void
crm_pipeline_page_finalize (GObject *object)
{
  CrmPipelinePage *self = (CrmPipelinePage *)object;

  g_clear_pointer (&self->owner_ids, g_ptr_array_unref);
  g_clear_pointer (&self->column_labels, g_ptr_array_unref);
  g_clear_pointer (&self->column_lists, g_ptr_array_unref);
  g_clear_pointer (&self->lane_labels, g_ptr_array_unref);
  g_free (self->selected_deal);
  g_free (self->view);

  G_OBJECT_CLASS (crm_pipeline_page_parent_class)->finalize (object);
}

static void
crm_pipeline_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pipeline_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      crm_pipeline_page_set_context (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pipeline_page_class_init (CrmPipelinePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char * const selected_actions[] = {
    "pipeline.edit-selected", "pipeline.delete-selected",
    "pipeline.mark-won-selected", "pipeline.mark-lost-selected",
  };

  object_class->dispose = crm_pipeline_page_dispose;
  object_class->finalize = crm_pipeline_page_finalize;
  object_class->get_property = crm_pipeline_page_get_property;
  object_class->set_property = crm_pipeline_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         CRM_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-pipeline-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, pipeline_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, owner_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, amount_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, amount_popover);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, min_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, max_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, amount_problem);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, reset_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, group_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, board_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, list_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, forecast_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, forecast_grid);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, forecast_rates);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, board_scroller);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, columns_box);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, lanes_box);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, list_view);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, bulk_revealer);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, bulk_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, bulk_owner_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, bulk_move_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, deal_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_pipeline_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_owner_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_period_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_group_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_clear);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_forecast_show);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);

  gtk_widget_class_install_action (widget_class, "pipeline.new-deal", NULL, new_deal_action);
  gtk_widget_class_install_action (widget_class, "pipeline.edit-deal", "s", edit_deal_action);
  gtk_widget_class_install_action (widget_class, "pipeline.delete-deal", "s", delete_deal_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-deal", "(ssi)", move_deal_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-to-lane", "(sssi)", move_to_lane_action);
  gtk_widget_class_install_action (widget_class, "pipeline.mark-won", "s", mark_won_action);
  gtk_widget_class_install_action (widget_class, "pipeline.mark-lost", "(ss)", mark_lost_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-next", NULL, move_step_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-previous", NULL, move_step_action);
  for (guint i = 0; i < G_N_ELEMENTS (selected_actions); i++)
    gtk_widget_class_install_action (widget_class, selected_actions[i], NULL, selected_action);
  gtk_widget_class_install_action (widget_class, "pipeline.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "pipeline.select-pipeline", "s", select_pipeline_action);
  gtk_widget_class_install_action (widget_class, "pipeline.filter-owner", "s", filter_owner_action);
  gtk_widget_class_install_action (widget_class, "pipeline.filter-period", "s", filter_period_action);
  gtk_widget_class_install_action (widget_class, "pipeline.filter-amount", "(xx)", filter_amount_action);
  gtk_widget_class_install_action (widget_class, "pipeline.reset-filters", NULL, reset_filters_action);
  gtk_widget_class_install_action (widget_class, "pipeline.group-by", "s", group_by_action);
  gtk_widget_class_install_action (widget_class, "pipeline.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "pipeline.unselect-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "pipeline.bulk-move", "s", bulk_move_action);
  gtk_widget_class_install_action (widget_class, "pipeline.bulk-assign", "s", bulk_assign_action);
  gtk_widget_class_install_action (widget_class, "pipeline.bulk-won", NULL, bulk_close_action);
  gtk_widget_class_install_action (widget_class, "pipeline.bulk-lost", "s", bulk_close_action);
  gtk_widget_class_install_action (widget_class, "pipeline.bulk-lost-prompt", NULL, bulk_close_action);
  gtk_widget_class_install_action (widget_class, "pipeline.bulk-delete", NULL, bulk_delete_action);
  gtk_widget_class_install_action (widget_class, "pipeline.bulk-delete-prompt", NULL, bulk_delete_prompt_action);
  gtk_widget_class_install_action (widget_class, "pipeline.view", "s", view_action);
  gtk_widget_class_install_action (widget_class, "pipeline.create-default-pipeline", NULL, create_default_pipeline_action);
  gtk_widget_class_install_action (widget_class, "pipeline.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "pipeline.rename-stage", "(ss)", rename_stage_action);
  gtk_widget_class_install_action (widget_class, "pipeline.add-stage", "(ss)", add_stage_action);
  gtk_widget_class_install_action (widget_class, "pipeline.delete-stage", "(ss)", delete_stage_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-stage-left", "s", move_stage_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-stage-right", "s", move_stage_action);
  gtk_widget_class_install_action (widget_class, "pipeline.rename-stage-prompt", "s", stage_prompt_action);
  gtk_widget_class_install_action (widget_class, "pipeline.add-stage-prompt", "s", stage_prompt_action);
  gtk_widget_class_install_action (widget_class, "pipeline.delete-stage-prompt", "s", stage_prompt_action);
  gtk_widget_class_install_action (widget_class, "pipeline.export-pdf", "s", export_pdf_action);
  gtk_widget_class_install_action (widget_class, "pipeline.edit-lost-reasons", NULL, edit_lost_reasons_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "pipeline.new-deal", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "pipeline.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_CONTROL_MASK, "pipeline.move-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_CONTROL_MASK, "pipeline.move-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "pipeline.delete-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "pipeline.edit-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "pipeline.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK, "pipeline.select-all", NULL);
}

static void
crm_pipeline_page_init (CrmPipelinePage *self)
{
  g_autoptr(GtkStringList) period_names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) group_names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->owner_ids = g_ptr_array_new_with_free_func (g_free);
  self->column_labels = g_ptr_array_new ();
  self->column_lists = g_ptr_array_new ();
  self->lane_labels = g_ptr_array_new ();
  self->all_columns = g_list_store_new (G_TYPE_LIST_MODEL);
  self->view = g_strdup ("board");

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    gtk_string_list_append (period_names, _(periods[i].label));
  for (guint i = 0; i < G_N_ELEMENTS (group_labels); i++)
    gtk_string_list_append (group_names, _(group_labels[i]));
  self->filling = TRUE;
  gtk_drop_down_set_model (self->period_dropdown, G_LIST_MODEL (period_names));
  gtk_drop_down_set_model (self->group_dropdown, G_LIST_MODEL (group_names));
  self->filling = FALSE;
  create_list_columns (self);
  update_actions (self);
}

void
crm_pipeline_page_set_context (CrmPipelinePage *self,
                               CrmContext      *context)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_PAGE (self));
  g_return_if_fail (context == NULL || CRM_IS_CONTEXT (context));

  if (self->context == context)
    return;
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  self->board = crm_deal_board_new (crm_context_get_store (context));
  /* The lanes follow the board before this page redraws from both. */
  self->lanes = crm_deal_lanes_new (self->board);
  g_signal_connect_object (self->board, "stages-changed", G_CALLBACK (on_stages_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->board, "reloaded", G_CALLBACK (on_board_reloaded), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lanes, "lanes-changed", G_CALLBACK (on_lanes_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lanes, "changed", G_CALLBACK (on_lanes_totals_changed), self, G_CONNECT_SWAPPED);
  fill_owners (self);
  if (crm_context_get_settings (context) != NULL)
    {
      g_autofree char *group = NULL;
      g_autofree char *view = NULL;
      CrmDealGroup value = CRM_DEAL_GROUP_NONE;

      self->settings = g_object_ref (crm_context_get_settings (context));
      group = g_settings_get_string (self->settings, "pipeline-group-by");
      view = g_settings_get_string (self->settings, "pipeline-view");
      crm_deal_group_from_string (group, &value);
      apply_group (self, value);
      gtk_widget_activate_action (GTK_WIDGET (self), "pipeline.view", "s", view);
    }
  if (!crm_deal_board_reload (self->board, &error))
    show_error (self, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

CrmDealBoard *
crm_pipeline_page_get_board (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);

  return self->board;
}

CrmDealLanes *
crm_pipeline_page_get_lanes (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);

  return self->lanes;
}

GtkWindow *
crm_pipeline_page_get_editor (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);

  return self->editor;
}

const char *
crm_pipeline_page_get_selected_deal (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);

  return self->selected_deal;
}

const char *
crm_pipeline_page_get_view_state (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->view_stack);
}

const char *
crm_pipeline_page_get_summary (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);

  return gtk_label_get_text (self->summary_label);
}
