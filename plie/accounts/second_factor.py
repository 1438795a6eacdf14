"""The second factor (django-otp): an authenticator app (TOTP) and single-use backup codes.

Required for the coordination, superusers and staff (they see every person's file and the
Django admin), available to everyone else; once a user has enrolled, every login asks for it.
The rule of who must use it is :func:`plie.permissions.must_use_second_factor`.
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from plie import permissions

APP_DEVICE_NAME = "Application d'authentification"
BACKUP_DEVICE_NAME = "Codes de secours"
BACKUP_CODES = 10


def is_enrolled(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_app_device(user) -> TOTPDevice:
    """The device being enrolled: kept between the QR code page and the first code typed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def qr_code_data_uri(device: TOTPDevice) -> str:
    """An SVG data URI (the strict CSP allows ``img-src data:``; nothing leaves the server)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret, in groups of four, for apps that cannot scan a QR code."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_app_device(device: TOTPDevice) -> list[str]:
    """The first code was right: the app becomes the user's factor, with fresh backup codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_backup_codes(device.user)


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Ten new single-use codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(user, code: str):
    """The device that accepts ``code`` (app code or backup code), or None. Throttled per device."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    for device in devices_for_user(user, confirmed=True):
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            if device.verify_token(code):
                return device
    return None


def locked_until(user):
    """When every device refuses attempts (too many wrong codes), until when; else None."""
    until = []
    for device in devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if allowed:
            return None
        until.append((data or {}).get("locked_until"))
    return max((u for u in until if u), default=None)


@transaction.atomic
def reset(user, par=None) -> None:
    """Every factor of ``user`` goes; they enrol again at their next login.

    ``par``: the colleague of the coordination who did it for a lost phone; the person is told by
    email, so that a reset they did not ask for does not go unnoticed.
    """
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    if par is not None:
        from plie.notifications.services import envoyer_email

        envoyer_email(
            [user.email],
            "Votre double authentification a été réinitialisée",
            "emails/second_factor_reset.txt",
            {"user": user, "par": par},
        )


class SecondFactorMiddleware:
    """After the password, the second step: verify, or enrol first when the role requires it.

    Comes after django-otp's OTPMiddleware, which tells whether this session was verified.
    """

    ALLOWED = {
        "second_factor_verify",
        "second_factor_enrol",
        "second_factor_backup_codes",
        "logout",
        "healthz",
        "session_keep_alive",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.second_step_pending = None
        user = request.user
        if not user.is_authenticated or user.is_verified() or request.path.startswith(settings.STATIC_URL):
            return None
        if is_enrolled(user):
            request.second_step_pending = "second_factor_verify"
        elif permissions.must_use_second_factor(user):
            request.second_step_pending = "second_factor_enrol"
        match = request.resolver_match
        if request.second_step_pending is None or (match and match.url_name in self.ALLOWED):
            return None
        target = request.second_step_pending
        if request.method == "GET":
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return redirect(target)
