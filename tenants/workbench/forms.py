"""The workbench's forms: input shapes and Chinese labels only. Every rule is checked
by the service the view calls; its errors come back onto these fields (errors.apply)."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.platform.province.models import Category
from liaison.tenants.opinions.models import Channel, JurisdictionLevel, Outcome, ReplyKind, Satisfaction

TEXTAREA = forms.Textarea(attrs={"rows": 4})
SHORT_TEXTAREA = forms.Textarea(attrs={"rows": 2})


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class StepForm(forms.Form):
    """Every workbench form carries a one-time token (tokens.py)."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def category_field(required=True):
    return forms.ModelChoiceField(Category.objects.filter(active=True), to_field_name="code", label=_("类别"),
                                  required=required, empty_label=_("— 请选择 —"))


NOTE = dict(label=_("说明"), required=False, widget=SHORT_TEXTAREA)
REASON = dict(label=_("理由"), required=False, widget=SHORT_TEXTAREA)


class RegisterForm(StepForm):
    channel = forms.ChoiceField(label=_("来源渠道"), choices=[c for c in Channel.choices if c[0] != Channel.ONLINE])
    position = forms.ModelChoiceField(None, label=_("受理阵地"), empty_label=_("— 请选择 —"))
    division = forms.ModelChoiceField(None, label=_("所涉区划（村、社区）"), required=False, empty_label=_("与阵地相同"))
    deputy = forms.ModelChoiceField(None, label=_("收集代表"), required=False, empty_label=_("— 无 —"))
    citizen_name = forms.CharField(label=_("群众姓名"), required=False, max_length=64)
    citizen_phone = forms.CharField(label=_("联系电话"), required=False, max_length=32)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    content = forms.CharField(label=_("内容"), widget=TEXTAREA, required=False)
    category = category_field(required=False)
    registered_at = forms.DateTimeField(label=_("受理时间"), required=False, widget=DateTimeInput,
                                        help_text=_("留空为现在；电话或补录可填当时时间"))
    attachments = MultipleFileField(label=_("附件"), required=False)
    note = forms.CharField(**NOTE)


class AttachForm(StepForm):
    attachments = MultipleFileField(label=_("附件"), required=False)


class TriageForm(StepForm):
    category = category_field(required=False)
    jurisdiction_level = forms.ChoiceField(label=_("管辖层级"), choices=[("", _("— 请选择 —")), *JurisdictionLevel.choices],
                                           required=False)
    note = forms.CharField(**NOTE)


class ReferForm(StepForm):
    unit = forms.ChoiceField(label=_("承办单位"), required=False)
    due_on = forms.DateField(label=_("答复期限"), required=False, widget=DateInput, help_text=_("留空按本州市期限规则计算"))
    note = forms.CharField(label=_("交办意见"), required=False, widget=SHORT_TEXTAREA)


class ReferPrefectureForm(StepForm):
    prefecture = forms.ChoiceField(label=_("转往州市"), required=False)
    division_code = forms.CharField(label=_("对方区划代码（可选）"), required=False, max_length=20)
    note = forms.CharField(**NOTE)


class ExtendForm(StepForm):
    new_due_on = forms.DateField(label=_("新的答复期限"), widget=DateInput, required=False)
    note = forms.CharField(label=_("延期理由"), required=False, widget=SHORT_TEXTAREA)


class ReplyForm(StepForm):
    kind = forms.ChoiceField(label=_("答复类型"), choices=[(ReplyKind.ANSWER, _("办理答复")),
                                                         (ReplyKind.EXPLANATION, _("解释说明（依法疏导）"))])
    outcome = forms.ChoiceField(label=_("办理结果"), choices=[("", _("— 请选择 —")), *Outcome.choices], required=False,
                                help_text=_("依法疏导为 D 类"))
    content = forms.CharField(label=_("答复内容"), widget=TEXTAREA, required=False)
    unit = forms.ModelChoiceField(None, label=_("答复单位"), required=False, empty_label=_("承办单位"))
    note = forms.CharField(**NOTE)


class DeliverForm(StepForm):
    to_citizen = forms.BooleanField(label=_("已送达群众"), required=False)
    to_deputy = forms.BooleanField(label=_("已送达代表"), required=False)
    note = forms.CharField(**NOTE)


class RateForm(StepForm):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=[("", _("— 请选择 —")), *Satisfaction.choices], required=False)
    comment = forms.CharField(label=_("评价意见"), required=False, widget=SHORT_TEXTAREA)


class NoteForm(StepForm):
    note = forms.CharField(**NOTE)


class ReasonForm(StepForm):
    note = forms.CharField(**REASON)


class DuplicateForm(StepForm):
    primary = forms.CharField(label=_("主件查询码"), required=False, max_length=16)
    note = forms.CharField(**NOTE)


class ConvertForm(StepForm):
    lead_deputy = forms.ModelChoiceField(None, label=_("领衔代表"), required=False, empty_label=_("— 请选择 —"))
    co_signers = forms.ModelMultipleChoiceField(None, label=_("附议代表"), required=False,
                                                widget=forms.SelectMultiple(attrs={"size": 6}))
    title = forms.CharField(label=_("案由"), max_length=200, required=False)
    content = forms.CharField(label=_("建议内容"), widget=TEXTAREA, required=False)
    note = forms.CharField(**NOTE)


class AssignSuggestionForm(StepForm):
    lead_unit = forms.ModelChoiceField(None, label=_("主办单位"), required=False, empty_label=_("— 请选择 —"))
    co_units = forms.ModelMultipleChoiceField(None, label=_("协办单位"), required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 6}))
    note = forms.CharField(**NOTE)


class AnswerSuggestionForm(StepForm):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=[("", _("— 请选择 —")), *Outcome.choices], required=False)
    content = forms.CharField(label=_("答复内容"), widget=TEXTAREA, required=False)
    note = forms.CharField(**NOTE)


# --- reception days -------------------------------------------------------------------------------


class EventForm(StepForm):
    position = forms.ModelChoiceField(None, label=_("阵地"), empty_label=_("— 请选择 —"), required=False)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput, required=False)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput, required=False)
    place = forms.CharField(label=_("地点"), max_length=255, required=False)
    description = forms.CharField(label=_("内容"), widget=SHORT_TEXTAREA, required=False)
    deputies = forms.ModelMultipleChoiceField(None, label=_("安排代表"), required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 6}))


class PlanForm(StepForm):
    position = forms.ModelChoiceField(None, label=_("阵地"), empty_label=_("— 请选择 —"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    content = forms.CharField(label=_("计划内容"), widget=TEXTAREA, required=False)
    reception_days_planned = forms.IntegerField(label=_("计划接待日次数"), required=False, min_value=0)
    other_activities_planned = forms.IntegerField(label=_("计划其他活动次数"), required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class SignInForm(StepForm):
    deputy = forms.ModelChoiceField(None, label=_("代表"), empty_label=_("— 请选择 —"), required=False)


class ReceptionForm(StepForm):
    people_received = forms.IntegerField(label=_("接待群众人次"), required=False, min_value=0)
    deputy = forms.ModelChoiceField(None, label=_("接待代表"), required=False, empty_label=_("— 无 —"))
    summary = forms.CharField(label=_("接待情况"), widget=SHORT_TEXTAREA, required=False)
    visitors = forms.CharField(label=_("来访群众（每行一人：姓名，电话，住址，反映事项）"), widget=TEXTAREA, required=False,
                               help_text=_("仅登记本人同意留下信息的群众；不愿留名的只计人次"))

    def clean_visitors(self):
        rows = []
        for line in (self.cleaned_data.get("visitors") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            parts += [""] * (4 - len(parts))
            rows.append({"name": parts[0], "phone": parts[1], "address": parts[2], "matter": ",".join(parts[3:]).strip(",")})
        return rows
