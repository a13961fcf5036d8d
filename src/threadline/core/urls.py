from django.urls import path

from threadline.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<uuid:pk>/", views.TaskDetailView.as_view(), name="task"),
    path("tasks/<uuid:pk>/cancel/", views.TaskCancelView.as_view(), name="task_cancel"),
]
