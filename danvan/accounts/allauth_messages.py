"""allauth's English texts on the pages danvan uses, so that ``make messages`` puts them in our catalogue.

django-allauth 65.21.1 ships no Vietnamese translation (its ``locale/`` has no ``vi``), and
``makemessages`` skips ``.venv``. Listing the msgids here brings them into ``locale/vi``; Django
merges every catalogue, and ours (LOCALE_PATHS) wins, so allauth's own ``gettext`` calls and
``{% translate %}`` tags then speak Vietnamese: the log-in form, the lock-out message
("Too many failed login attempts. Try again later."), two-factor set-up and the code step,
recovery codes, password change and reset.

Generated from allauth's ``account`` and ``mfa`` code and templates with ``makemessages``, leaving
out what danvan does not use (sign-up, phone numbers, passkeys, e-mail management, log-in by
code). After upgrading allauth, regenerate it the same way and compare.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

MSGIDS = [
    # account/adapter.py
    gettext_noop('A user is already registered with this email address.'),
    gettext_noop('A user is already registered with this phone number.'),
    gettext_noop('Be patient, you are sending too many requests.'),
    gettext_noop('Incorrect code.'),
    gettext_noop('Incorrect password.'),
    gettext_noop('Invalid login.'),
    gettext_noop('Invalid or expired key.'),
    gettext_noop('Please select only one.'),
    gettext_noop('Please type your current password.'),
    gettext_noop('The email address and/or password you specified are not correct.'),
    gettext_noop('The email address is not assigned to any user account.'),
    gettext_noop('The new value must be different from the current one.'),
    gettext_noop('The password reset token was invalid.'),
    gettext_noop('The phone number and/or password you specified are not correct.'),
    gettext_noop('The phone number is not assigned to any user account.'),
    gettext_noop('The username and/or password you specified are not correct.'),
    gettext_noop('This account is currently inactive.'),
    gettext_noop('This email address is already associated with this account.'),
    gettext_noop('Too many failed login attempts. Try again later.'),
    gettext_noop('Use a security key'),
    gettext_noop('Use authenticator app or code'),
    gettext_noop('Use your password'),
    gettext_noop('Username can not be used. Please use other username.'),
    gettext_noop('You cannot add more than %d email addresses.'),
    gettext_noop('You cannot remove your primary email address.'),
    gettext_noop('Your primary email address must be verified.'),
    # account/apps.py
    gettext_noop('Accounts'),
    # account/forms.py
    gettext_noop('Code'),
    gettext_noop('Current Password'),
    gettext_noop('Email'),
    gettext_noop('Email (again)'),
    gettext_noop('Email (optional)'),
    gettext_noop('Email address confirmation'),
    gettext_noop('Email or phone'),
    pgettext_lazy('field label', 'Login'),
    gettext_noop('New Password'),
    gettext_noop('New Password (again)'),
    gettext_noop('Password'),
    gettext_noop('Password (again)'),
    gettext_noop('Phone'),
    gettext_noop('Remember Me'),
    gettext_noop('Username'),
    gettext_noop('Username (optional)'),
    gettext_noop('Username or email'),
    gettext_noop('Username or phone'),
    gettext_noop('Username, email or phone'),
    gettext_noop('You must type the same email each time.'),
    gettext_noop('You must type the same password each time.'),
    # mfa/adapter.py
    gettext_noop('Backup key'),
    gettext_noop('Key nr. {number}'),
    gettext_noop('Master key'),
    gettext_noop('You cannot activate two-factor authentication until you have verified your email address.'),
    gettext_noop('You cannot add an email address to an account protected by two-factor authentication.'),
    gettext_noop('You cannot deactivate two-factor authentication.'),
    gettext_noop('You cannot generate recovery codes without having two-factor authentication enabled.'),
    # mfa/apps.py
    gettext_noop('MFA'),
    # mfa/totp/forms.py
    gettext_noop('Authenticator code'),
    # templates/account/base_reauthenticate.html
    gettext_noop('Alternative options'),
    gettext_noop('Confirm Access'),
    gettext_noop('Please reauthenticate to safeguard your account.'),
    # templates/account/login.html
    gettext_noop('If you have not created an account yet, then please %(link)ssign up%(end_link)s first.'),
    gettext_noop('Send me a sign-in code'),
    gettext_noop('Sign In'),
    gettext_noop('Sign in with a passkey'),
    # templates/account/logout.html
    gettext_noop('Are you sure you want to sign out?'),
    gettext_noop('Sign Out'),
    # templates/account/messages/logged_in.txt
    gettext_noop('Successfully signed in as %(name)s.'),
    # templates/account/messages/logged_out.txt
    gettext_noop('You have signed out.'),
    # templates/account/messages/password_changed.txt
    gettext_noop('Password successfully changed.'),
    # templates/account/messages/password_set.txt
    gettext_noop('Password successfully set.'),
    # templates/account/messages/primary_email_set.txt
    gettext_noop('Primary email address set.'),
    # templates/account/password_change.html
    gettext_noop('Change Password'),
    # templates/account/password_reset.html
    gettext_noop("Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."),
    gettext_noop('Password Reset'),
    gettext_noop('Please contact us if you have any trouble resetting your password.'),
    gettext_noop('Reset My Password'),
    # templates/account/password_reset_done.html
    gettext_noop('We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes.'),
    # templates/account/password_reset_from_key.html
    gettext_noop('Bad Token'),
    gettext_noop('Cancel'),
    gettext_noop('The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'),
    # templates/account/password_reset_from_key_done.html
    gettext_noop('Your password is now changed.'),
    # templates/account/password_set.html
    gettext_noop('Set Password'),
    # templates/account/reauthenticate.html
    gettext_noop('Confirm'),
    gettext_noop('Enter your password:'),
    # templates/account/verified_email_required.html
    gettext_noop('<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.'),
    gettext_noop('This part of the site requires us to verify that\nyou are who you claim to be. For this purpose, we require that you\nverify ownership of your email address. '),
    gettext_noop('Verify Your Email Address'),
    gettext_noop('We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes.'),
    # templates/mfa/authenticate.html
    gettext_noop('Two-Factor Authentication'),
    gettext_noop('Your account is protected by two-factor authentication. Please enter an authenticator code:'),
    # templates/mfa/index.html
    gettext_noop('Activate'),
    gettext_noop('Add'),
    gettext_noop('An authenticator app is not active.'),
    gettext_noop('Authentication using an authenticator app is active.'),
    gettext_noop('Authenticator App'),
    gettext_noop('Deactivate'),
    gettext_noop('Download'),
    gettext_noop('Generate'),
    gettext_noop('Manage'),
    gettext_noop('No recovery codes set up.'),
    gettext_noop('No security keys have been added.'),
    gettext_noop('Recovery Codes'),
    gettext_noop('Security Keys'),
    ngettext_lazy('There is %(unused_count)s out of %(total_count)s recovery codes available.', 'There are %(unused_count)s out of %(total_count)s recovery codes available.', 1),
    gettext_noop('View'),
    ngettext_lazy('You have added %(count)s security key.', 'You have added %(count)s security keys.', 1),
    # templates/mfa/messages/recovery_codes_generated.txt
    gettext_noop('A new set of recovery codes has been generated.'),
    gettext_noop("Save them  in a secure location now — they won't be shown again."),
    # templates/mfa/messages/totp_activated.txt
    gettext_noop('Authenticator app activated.'),
    # templates/mfa/messages/totp_deactivated.txt
    gettext_noop('Authenticator app deactivated.'),
    # templates/mfa/reauthenticate.html
    gettext_noop('Enter an authenticator code:'),
    # templates/mfa/recovery_codes/generate.html
    gettext_noop('Are you sure?'),
    gettext_noop('This action will invalidate your existing codes.'),
    gettext_noop('You are about to generate a new set of recovery codes for your account.'),
    # templates/mfa/recovery_codes/index.html
    gettext_noop('Download codes'),
    gettext_noop('Generate new codes'),
    gettext_noop('I have saved my recovery codes'),
    gettext_noop('Unused codes'),
    # templates/mfa/totp/activate_form.html
    gettext_noop('Activate Authenticator App'),
    gettext_noop('Authenticator secret'),
    gettext_noop('To protect your account with two-factor authentication, scan the QR code below with your authenticator app. Then, input the verification code generated by the app below.'),
    gettext_noop('You can store this secret and use it to reinstall your authenticator app at a later time.'),
    # templates/mfa/totp/deactivate_form.html
    gettext_noop('Deactivate Authenticator App'),
    gettext_noop('You are about to deactivate authenticator app based authentication. Are you sure?'),
]
