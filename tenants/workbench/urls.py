"""Routes of the workbench, served on every prefecture host under /workbench/."""
from django.urls import path

from . import views, views_events, views_opinions, views_people, views_suggestions

app_name = "workbench"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("divisions/", views.division_options, name="division-options"),
    path("opinions/", views_opinions.opinion_queue, name="queue"),
    path("opinions/new/", views_opinions.opinion_register, name="register"),
    path("opinions/<int:pk>/", views_opinions.opinion_detail, name="opinion"),
    path("opinions/<int:pk>/attachments/<int:attachment_id>/", views_opinions.attachment_download, name="attachment"),
    path("opinions/<int:pk>/<slug:step>/", views_opinions.opinion_step, name="opinion-step"),
    path("suggestions/", views_suggestions.suggestion_list, name="suggestions"),
    path("suggestions/<int:pk>/", views_suggestions.suggestion_detail, name="suggestion"),
    path("suggestions/<int:pk>/<slug:step>/", views_suggestions.suggestion_step, name="suggestion-step"),
    path("events/", views_events.event_list, name="events"),
    path("events/new/", views_events.event_new, name="event-new"),
    path("events/plan/", views_events.plan_edit, name="plan"),
    path("events/<int:pk>/", views_events.event_detail, name="event"),
    path("events/<int:pk>/announce/", views_events.event_announce, name="event-announce"),
    path("events/<int:pk>/sign-in/", views_events.event_sign_in, name="event-sign-in"),
    path("events/<int:pk>/reception/", views_events.event_reception, name="event-reception"),
    path("events/<int:pk>/self-sign-in/", views_events.event_self_sign_in, name="event-self-sign-in"),
    path("board/", views_people.supervision_board, name="board"),
    path("me/", views_people.my_duties, name="me"),
]
