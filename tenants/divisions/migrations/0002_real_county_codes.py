"""Real GB/T 2260 county codes for prefectures seeded before they were known.

Counties used to be seeded with codes made up from their position in a list (530101,
530102, … under 530100), so 18 of them carried another county's real code. This
matches each county of the prefecture by NAME and gives it its real code; the
townships and villages under it keep their own suffix behind the new county prefix
(their codes began with the county's), and every path below it is rewritten. A county
whose name is not in the table (added by hand) is left alone. Search documents and the
statistics carry division codes: run `liaison search reindex` and `liaison stats
refresh` after this migration (docs/OPERATIONS.md).

The table is a frozen copy of tenants/registry/data/yunnan_counties.csv (migrations do
not import application code that may change later).
"""
from django.db import migrations
from django.db.models import Q, Value
from django.db.models.functions import Concat

REAL_CODES = {
    "530100": {"五华区": "530102", "盘龙区": "530103", "官渡区": "530111", "西山区": "530112", "东川区": "530113", "呈贡区": "530114", "晋宁区": "530115", "富民县": "530124", "宜良县": "530125", "石林彝族自治县": "530126", "嵩明县": "530127", "禄劝彝族苗族自治县": "530128", "寻甸回族彝族自治县": "530129", "安宁市": "530181"},
    "530300": {"麒麟区": "530302", "沾益区": "530303", "马龙区": "530304", "陆良县": "530322", "师宗县": "530323", "罗平县": "530324", "富源县": "530325", "会泽县": "530326", "宣威市": "530381"},
    "530400": {"红塔区": "530402", "江川区": "530403", "通海县": "530423", "华宁县": "530424", "易门县": "530425", "峨山彝族自治县": "530426", "新平彝族傣族自治县": "530427", "元江哈尼族彝族傣族自治县": "530428", "澄江市": "530481"},
    "530500": {"隆阳区": "530502", "施甸县": "530521", "龙陵县": "530523", "昌宁县": "530524", "腾冲市": "530581"},
    "530600": {"昭阳区": "530602", "鲁甸县": "530621", "巧家县": "530622", "盐津县": "530623", "大关县": "530624", "永善县": "530625", "绥江县": "530626", "镇雄县": "530627", "彝良县": "530628", "威信县": "530629", "水富市": "530681"},
    "530700": {"古城区": "530702", "玉龙纳西族自治县": "530721", "永胜县": "530722", "华坪县": "530723", "宁蒗彝族自治县": "530724"},
    "530800": {"思茅区": "530802", "宁洱哈尼族彝族自治县": "530821", "墨江哈尼族自治县": "530822", "景东彝族自治县": "530823", "景谷傣族彝族自治县": "530824", "镇沅彝族哈尼族拉祜族自治县": "530825", "江城哈尼族彝族自治县": "530826", "孟连傣族拉祜族佤族自治县": "530827", "澜沧拉祜族自治县": "530828", "西盟佤族自治县": "530829"},
    "530900": {"临翔区": "530902", "凤庆县": "530921", "云县": "530922", "永德县": "530923", "镇康县": "530924", "双江拉祜族佤族布朗族傣族自治县": "530925", "耿马傣族佤族自治县": "530926", "沧源佤族自治县": "530927"},
    "532300": {"楚雄市": "532301", "禄丰市": "532302", "双柏县": "532322", "牟定县": "532323", "南华县": "532324", "姚安县": "532325", "大姚县": "532326", "永仁县": "532327", "元谋县": "532328", "武定县": "532329"},
    "532500": {"个旧市": "532501", "开远市": "532502", "蒙自市": "532503", "弥勒市": "532504", "屏边苗族自治县": "532523", "建水县": "532524", "石屏县": "532525", "泸西县": "532527", "元阳县": "532528", "红河县": "532529", "金平苗族瑶族傣族自治县": "532530", "绿春县": "532531", "河口瑶族自治县": "532532"},
    "532600": {"文山市": "532601", "砚山县": "532622", "西畴县": "532623", "麻栗坡县": "532624", "马关县": "532625", "丘北县": "532626", "广南县": "532627", "富宁县": "532628"},
    "532800": {"景洪市": "532801", "勐海县": "532822", "勐腊县": "532823"},
    "532900": {"大理市": "532901", "漾濞彝族自治县": "532922", "祥云县": "532923", "宾川县": "532924", "弥渡县": "532925", "南涧彝族自治县": "532926", "巍山彝族回族自治县": "532927", "永平县": "532928", "云龙县": "532929", "洱源县": "532930", "剑川县": "532931", "鹤庆县": "532932"},
    "533100": {"瑞丽市": "533102", "芒市": "533103", "梁河县": "533122", "盈江县": "533123", "陇川县": "533124"},
    "533300": {"泸水市": "533301", "福贡县": "533323", "贡山独龙族怒族自治县": "533324", "兰坪白族普米族自治县": "533325"},
    "533400": {"香格里拉市": "533401", "德钦县": "533422", "维西傈僳族自治县": "533423"},
}


def forwards(apps, schema_editor):
    Division = apps.get_model("divisions", "Division")
    root = Division.objects.filter(level="prefecture", parent__isnull=True).first()
    if root is None or root.code not in REAL_CODES:
        return
    wanted = REAL_CODES[root.code]
    moves = []  # (row id, new code, new path)
    for county in Division.objects.filter(parent=root, level="county"):
        new = wanted.get(county.name)
        if not new or new == county.code:
            continue
        old_path = f"{root.path}/{county.code}"
        new_path = f"{root.path}/{new}"
        def recode(code, old=county.code, new=new):
            return new + code[len(old):] if code.startswith(old) else code

        for d in Division.objects.filter(Q(pk=county.pk) | Q(path__startswith=f"{old_path}/")):
            below = [recode(c) for c in d.path[len(old_path):].split("/") if c]
            moves.append((d.pk, recode(d.code), "/".join([new_path, *below])))
    if not moves:
        return
    ids = [m[0] for m in moves]
    # Two steps: counties swap codes among themselves (盘龙区 held 五华区's 530102).
    Division.objects.filter(pk__in=ids).update(code=Concat(Value("~"), "id"))
    objs = []
    for pk, code, path in moves:
        objs.append(Division(pk=pk, code=code, path=path))
    Division.objects.bulk_update(objs, ["code", "path"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("divisions", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
