"""The citizens' forms. They check only what a page must (present, the right kind of
value); the opinion rules are the services' (liaison.tenants.opinions.services), whose
field errors are shown next to the field they name."""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.platform.province.models import Category
from liaison.tenants.opinions.models import Satisfaction


_CJK = re.compile(r"[\u4e00-\u9fff]")

# Service error codes, as the citizen reads them (the services' own texts are for developers
# until they are Chinese; a Chinese text is shown as it is).
_BY_CODE = {
    "required": gettext_lazy("请填写%(label)s"),
    "too_long": gettext_lazy("%(label)s太长了"),
    "invalid": gettext_lazy("%(label)s的格式不对"),
    "not_found": gettext_lazy("没有找到这个%(label)s"),
    "inactive": gettext_lazy("这个%(label)s已停用，请另选"),
    "conflict": gettext_lazy("这张表单已经提交过；要再提一条，请刷新页面后重新填写"),
}


def field_message(label: str, code: str, message: str) -> str:
    if _CJK.search(message or ""):
        return message
    template = _BY_CODE.get(code) or gettext_lazy("%(label)s有误，请检查")
    return str(template) % {"label": label.split("（")[0]}  # 手机号, not 手机号（可不填，便于回访）


def add_service_errors(form: forms.Form, exc) -> None:
    """Put each FieldError of a ServiceError next to its field (or on top of the form)."""
    for err in exc.errors:
        field = err.field if err.field in form.fields else None
        label = str(form.fields[field].label) if field else _("内容")
        form.add_error(field, field_message(label, err.code, err.message))


def name_required_fields(form: forms.Form) -> None:
    """「请填写标题」 rather than Django's 「这个字段是必填项」."""
    for field in form.fields.values():
        field.error_messages["required"] = str(_BY_CODE["required"]) % {"label": str(field.label).split("（")[0]}


class OpinionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": gettext_lazy("一句话说明事情"),
                                                          "autocomplete": "off"}))
    content = forms.CharField(label=gettext_lazy("意见建议"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6, "placeholder": gettext_lazy(
                                  "请写清楚事情的经过、地点和您的诉求")}))
    category = forms.ModelChoiceField(label=gettext_lazy("类别"), queryset=Category.objects.none(), required=False,
                                      to_field_name="code", empty_label=gettext_lazy("（不清楚可不选）"))
    citizen_name = forms.CharField(label=gettext_lazy("姓名（可不填）"), max_length=64, required=False)
    citizen_phone = forms.CharField(label=gettext_lazy("手机号（可不填，便于回访）"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    # the honeypot: hidden from people (see form_token)
    website = forms.CharField(label=gettext_lazy("网址（请勿填写）"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)
        name_required_fields(self)


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "placeholder": gettext_lazy("提交后得到的查询码")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required_fields(self)


class RateForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(label=gettext_lazy("您对答复是否满意"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("评价意见（可不填）"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].error_messages["required"] = _("请选择满意、基本满意或不满意")
