from django.urls import path

from harmonia.instruments import views

app_name = "instruments"

urlpatterns = [
    path("centres/<int:centre_pk>/instruments/", views.inventory, name="inventory"),
    path(
        "centres/<int:centre_pk>/instruments/new/",
        views.instrument_create,
        name="instrument_create",
    ),
    path("centres/<int:centre_pk>/instruments/delivery/", views.delivery, name="delivery"),
    path("centres/<int:centre_pk>/instruments/labels/", views.labels, name="labels"),
    path("centres/<int:centre_pk>/loans/", views.loan_list, name="loan_list"),
    path("centres/<int:centre_pk>/size-up/", views.size_up, name="size_up"),
    path("centres/<int:centre_pk>/repairs/", views.repair_list, name="repair_list"),
    path("centres/<int:centre_pk>/stock/", views.stock, name="stock"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="instrument_edit"),
    path("instruments/<int:pk>/status/", views.instrument_status, name="instrument_status"),
    path("instruments/<int:pk>/qr.svg", views.instrument_qr, name="instrument_qr"),
    path(
        "instruments/<int:pk>/photo/<str:name>",
        views.instrument_photo,
        name="instrument_photo",
    ),
    path("instruments/<int:pk>/lend/", views.lend, name="lend"),
    path("instruments/<int:pk>/repair/", views.repair_create, name="repair_create"),
    path("loans/<int:pk>/return/", views.loan_return, name="loan_return"),
    path("loans/<int:pk>/swap/", views.loan_swap, name="loan_swap"),
    path("loans/<int:pk>/agreement/", views.loan_agreement, name="loan_agreement"),
    path("loans/<int:pk>/agreement.pdf", views.loan_agreement_pdf, name="loan_agreement_pdf"),
    path("repairs/<int:pk>/return/", views.repair_return, name="repair_return"),
    path("children/<int:child_pk>/instruments/", views.child_instruments, name="child_instruments"),
    path("programmes/<int:pk>/loan-agreements/", views.agreements, name="agreements"),
    path("programmes/<int:pk>/instruments/", views.programme_fleet, name="programme_fleet"),
]
