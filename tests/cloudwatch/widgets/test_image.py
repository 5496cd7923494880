"""GetMetricWidgetImage: the PNG AWS answers, through boto3 and the domain."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from picture_checks import columns_with, count_near

from awsmon import Cloud
from awsmon.cloudwatch import Dimension, MetricKey
from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.pictures import png_size

BLUE, ORANGE, RED, GREEN = (
    (0x1F, 0x77, 0xB4),
    (0xFF, 0x7F, 0x0E),
    (0xD6, 0x27, 0x28),
    (0x2C, 0xA0, 0x2C),
)
CPU = [["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"], ["...", "i-2"]]


@pytest.fixture
def cloud() -> Cloud:
    """Three hours of CPU for two instances: i-1 around 40 %, i-2 around 60 %."""
    cloud = Cloud(seed=1)
    cloud.clock.advance(timedelta(hours=3))
    now = cloud.clock.now()
    for instance, base in (("i-1", 40.0), ("i-2", 60.0)):
        key = MetricKey.of("AWS/EC2", "CPUUtilization", [Dimension("InstanceId", instance)])
        points = [
            (now - timedelta(minutes=180 - i), base + 10 * math.sin(i / 15)) for i in range(180)
        ]
        cloud.cloudwatch.publish(key, points)
    return cloud


def _image(cloud: Cloud, widget: dict[str, Any], **kwargs: str) -> bytes:
    with cloud.patch_boto3():
        client = boto3.client("cloudwatch", region_name=cloud.default_region)
        answer = client.get_metric_widget_image(MetricWidget=json.dumps(widget), **kwargs)
    image = answer["MetricWidgetImage"]
    assert isinstance(image, bytes)
    return image


def test_the_default_image_is_a_600_by_400_png(cloud: Cloud) -> None:
    image = _image(cloud, {"metrics": CPU})
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(image) == (600, 400)
    assert count_near(image, BLUE, 30) > 200 and count_near(image, ORANGE, 30) > 200


def test_the_asked_size_and_output_format(cloud: Cloud) -> None:
    image = _image(cloud, {"metrics": CPU, "width": 1000, "height": 250}, OutputFormat="png")
    assert png_size(image) == (1000, 250)
    assert png_size(_image(cloud, {"metrics": CPU, "width": 1, "height": 1})) == (1, 1)


def test_colors_and_hidden_metrics(cloud: Cloud) -> None:
    widget = {
        "metrics": [
            [*CPU[0], {"color": "#2ca02c"}],
            [*CPU[1], {"visible": False}],
        ]
    }
    image = _image(cloud, widget)
    assert count_near(image, GREEN, 30) > 200
    assert count_near(image, ORANGE, 30) == 0  # the hidden series is not drawn


def test_an_expression_is_drawn_from_the_metrics(cloud: Cloud) -> None:
    widget = {
        "metrics": [
            [*CPU[0], {"visible": False}],
            [*CPU[1], {"visible": False}],
            [{"expression": "m1 + m2", "label": "both", "color": "#d62728"}],
        ]
    }
    assert count_near(_image(cloud, widget), RED, 30) > 200


def test_annotations_band_the_picture(cloud: Cloud) -> None:
    now = cloud.clock.now()
    widget = {
        "metrics": [CPU[0]],
        "legend": {"position": "hidden"},
        "annotations": {
            "horizontal": [{"value": 45, "color": "#d62728", "label": "high"}],
            "vertical": [
                [
                    {"value": (now - timedelta(hours=2)).isoformat(), "color": "#2ca02c"},
                    {"value": (now - timedelta(hours=1)).isoformat()},
                ]
            ],
        },
    }
    image = _image(cloud, widget)
    assert count_near(image, RED, 30) > 100  # the threshold line
    band = columns_with(image, (0xD5, 0xEC, 0xD5), 8)  # the light green band
    width = max(band) - min(band)
    assert 130 <= width <= 220  # one hour of three, on a plot about 500 pixels wide


@pytest.mark.parametrize("view", ["bar", "pie", "singleValue"])
def test_other_views(cloud: Cloud, view: str) -> None:
    image = _image(cloud, {"metrics": CPU, "view": view, "width": 400, "height": 300})
    assert png_size(image) == (400, 300)
    assert count_near(image, BLUE, 30) > 50 and count_near(image, ORANGE, 30) > 50


def test_no_data_says_so(cloud: Cloud) -> None:
    image = _image(cloud, {"metrics": [["Nothing", "Here"]]})
    assert png_size(image) == (600, 400)
    assert count_near(image, BLUE, 30) == 0


@pytest.mark.parametrize(
    ("widget", "output_format", "message"),
    [
        ({"metrics": []}, "png", "The MetricWidget field metrics must be an array of 1 to 100"),
        ({"metrics": CPU, "width": 2001}, "png", "The MetricWidget field width"),
        ({"metrics": CPU, "view": "gauge"}, "png", "The MetricWidget field view"),
        ({"metrics": CPU}, "jpeg", "The value jpeg for parameter OutputFormat is invalid"),
    ],
)
def test_errors(cloud: Cloud, widget: dict[str, Any], output_format: str, message: str) -> None:
    with pytest.raises(ClientError) as caught:
        _image(cloud, widget, OutputFormat=output_format)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert caught.value.response["Error"]["Message"].startswith(message)


def test_a_bad_expression_is_refused_as_get_metric_data_refuses_it(cloud: Cloud) -> None:
    with pytest.raises(ClientError) as caught:
        _image(cloud, {"metrics": [[{"expression": "m1 +"}]]})
    assert caught.value.response["Error"]["Code"] == "ValidationError"


def test_the_domain_gives_a_chart_for_notebooks(cloud: Cloud) -> None:
    chart = cloud.cloudwatch.metric_widget({"metrics": CPU, "title": "CPU", "width": 500})
    assert png_size(chart._repr_png_()) == (500, 400)
    assert "<svg" in chart._repr_svg_()
    with pytest.raises(InvalidParameterValue, match="field view"):
        cloud.cloudwatch.metric_widget({"metrics": CPU, "view": "gauge"})
