//! /staff/signin: clerks, supervisors and administrators sign in with a password.

use crate::components::forms::bi;
use crate::components::staff::*;
use leptos::prelude::*;

#[component]
pub fn StaffSignInPage() -> impl IntoView {
    view! {
        <crate::components::layout::PageTitle zh="工作人员登录" en="Staff sign-in" />
        <h1>{bi("工作人员登录", "Staff sign-in")}</h1>
        <QueryMessage />
        <form method="post" action="/api/staff/sign_in" class="form">
            <div class="field">
                <label for="username">{bi("用户名", "Username")}</label>
                <input id="username" name="username" autocomplete="username" required=true />
            </div>
            <div class="field">
                <label for="password">{bi("密码", "Password")}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required=true
                />
            </div>
            <button type="submit" class="button">
                {bi("登录", "Sign in")}
            </button>
        </form>
    }
}
