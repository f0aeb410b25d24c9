"""The officers' password policy, stated in words a person can act on.

Cognito enforces it (the user pool's PasswordPolicy); the app only tells the officer
what it is when they choose a new password at their first sign-in. The numbers are
the pool's: `create_user_pool` in chalicelib/adapters/user_pool.py (local stack,
tests) and the `UserPool` of infra/aws/resources.yaml (AWS).
tests/unit/test_password_policy.py keeps this module in step with both.
"""

from __future__ import annotations

MIN_LENGTH = 12
# Cognito accepts passwords of at most 256 characters, whatever the pool's policy.
MAX_LENGTH = 256

# The same keys and values as the pool's `Policies.PasswordPolicy`.
COGNITO_POLICY: dict[str, int | bool] = {
    "MinimumLength": MIN_LENGTH,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}

POLICY_ID = (f"Kata sandi baru minimal {MIN_LENGTH} karakter dan harus memuat huruf besar, "
             "huruf kecil, dan angka (simbol boleh, tidak wajib).")
POLICY_EN = (f"The new password needs at least {MIN_LENGTH} characters, with an upper-case "
             "letter, a lower-case letter and a number (symbols allowed, not required).")
