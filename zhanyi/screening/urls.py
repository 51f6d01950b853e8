from django.urls import path

from .views import campaigns, desk, intake, review, tasks

app_name = "screening"

urlpatterns = [
    path("", desk.home, name="home"),
    path("upload/", intake.upload, name="upload"),
    path("template.xlsx", intake.template, name="template"),
    path("jobs/<int:job_id>/", intake.job, name="job"),
    path("lists/<int:list_id>/", intake.push_list, name="list"),
    path("lists/<int:list_id>/errors.xlsx", intake.error_file, name="errors"),
    path("sources/new/", intake.source_edit, name="source-new"),
    path("sources/<int:source_id>/", intake.source_edit, name="source-edit"),
    path("sources/<int:source_id>/reply.xlsx", tasks.reply_list, name="reply"),
    path("review/", review.review_queue, name="review"),
    path("review/<int:record_id>/", review.review_record, name="review-record"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task"),
    path("supervision/", tasks.supervision, name="supervision"),
    path("campaigns/", campaigns.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign, name="campaign"),
    path(
        "campaigns/<int:campaign_id>/households/<int:household_id>/",
        campaigns.visit,
        name="visit",
    ),
]
